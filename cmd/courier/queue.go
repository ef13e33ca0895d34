package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
)

func newQueueCommand(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "queue",
		Short: "Put messages into a queue file, count them, list and requeue dead letters",
		Long: `A queue file holds outbound messages for 'courier dequeue' to deliver. It is one
SQLite file on local disk, created by the first put; other processes may put into it
while a dispatcher runs on it.

Exit codes: 0 done; 1 the queue refused or failed (an ID already queued, ...);
2 usage or input error (bad --from line, unreadable file, not a queue file, ...).`,
	}
	cmd.AddCommand(newQueuePutCommand(s), newQueueStatsCommand(s), newQueueDeadCommand(s))
	return cmd
}

// queueFileFlag is the --queue-file every command on a queue file takes.
type queueFileFlag struct{ path string }

func (f *queueFileFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.path, "queue-file", "", "the queue file (SQLite, on local disk)")
	_ = cmd.MarkFlagRequired("queue-file")
}

// open opens the queue file; create says whether a missing one is made.
func (f *queueFileFlag) open(create bool) (*dequeue.SQLite, error) {
	if !create {
		if _, err := os.Stat(f.path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no queue file at %s: check --queue-file ('courier queue put' creates it)", f.path)
		}
	}
	return dequeue.Open(f.path)
}

// fail prints err and ends the command with code.
func fail(s streams, code int, err error) error {
	fmt.Fprintf(s.err, "courier: %v\n", err)
	return exitError{code: code}
}

func newQueuePutCommand(s streams) *cobra.Command {
	var (
		file queueFileFlag
		data string
		id   string
		from string
	)
	cmd := &cobra.Command{
		Use:   "put --queue-file FILE [--data TEXT | --data @FILE | --data @-] [--id ID] | --from FILE|-",
		Short: "Queue one message, or many from JSON lines, and print their IDs",
		Long: `Queue one message (--data, --id), or many (--from), and print the stored IDs one a line.
When put returns, the messages are on disk (fsynced).

--from reads one JSON object a line (blank lines are skipped):
  {"id":"order-7","payload":"<order/>","headers":{"Content-Type":"application/xml"}}
id is optional (generated when absent); a string payload is stored as its text, any other
JSON value as its JSON text. All lines are stored in one transaction: a bad line, or an ID
already queued, stores nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from != "" && (cmd.Flags().Changed("data") || id != "") {
				return fail(s, exitUsage, errors.New("queue put: --from takes the IDs and payloads from its lines: drop --data and --id"))
			}
			msgs, err := queueMessages(cmd.Context(), s, from, data, id)
			if err != nil {
				return fail(s, exitUsage, fmt.Errorf("queue put: %w", err))
			}
			q, err := file.open(true)
			if err != nil {
				return fail(s, exitUsage, err)
			}
			defer q.Close()
			if err := q.Put(cmd.Context(), msgs...); err != nil {
				return fail(s, exitFailed, err)
			}
			for _, m := range msgs {
				fmt.Fprintln(s.out, m.ID)
			}
			return nil
		},
	}
	file.register(cmd)
	cmd.Flags().StringVar(&data, "data", "", "the payload: TEXT, @FILE, or @- for standard input")
	cmd.Flags().StringVar(&id, "id", "", "message ID; generated when absent")
	cmd.Flags().StringVar(&from, "from", "", "queue many messages from FILE (or - for standard input), one JSON object a line")
	return cmd
}

// queueMessages returns what put stores, each with its ID, so that the
// generated ones can be printed.
func queueMessages(ctx context.Context, s streams, from, data, id string) ([]dequeue.Message, error) {
	if from != "" {
		return readLines(ctx, s, from)
	}
	msg, release, err := readData(ctx, data, s.in)
	if err != nil {
		return nil, err
	}
	defer release()
	payload := msg.Payload
	if msg.Body != nil {
		// The queue keeps the payload, so read the file whole.
		if payload, err = io.ReadAll(io.NewSectionReader(msg.Body, 0, msg.Size)); err != nil {
			return nil, fmt.Errorf("--data %s: %w", data, err)
		}
	}
	if id == "" {
		id = destination.NewID()
	}
	m := dequeue.Message{ID: id, Payload: payload}
	if err := sendable(m); err != nil {
		return nil, fmt.Errorf("--id: %w", err)
	}
	return []dequeue.Message{m}, nil
}

// sendable refuses, at put time, a message that no delivery could send (an
// ID or header HTTP cannot carry): otherwise it would be retried for hours.
func sendable(m dequeue.Message) error {
	h := make(http.Header, len(m.Headers))
	for k, v := range m.Headers {
		h[k] = []string{v}
	}
	return (&destination.Message{ID: m.ID, Header: h}).Validate()
}

// queueLine is one line of --from.
type queueLine struct {
	ID      string            `json:"id"`
	Payload json.RawMessage   `json:"payload"`
	Headers map[string]string `json:"headers"`
}

// readLines reads --from: FILE, or - for standard input.
func readLines(ctx context.Context, s streams, from string) ([]dequeue.Message, error) {
	var r io.Reader
	if from == "-" {
		// Standard input may be a terminal: read it so that Ctrl-C works.
		b, err := readAllCtx(ctx, s.in, maxLinesInput)
		if err != nil {
			return nil, fmt.Errorf("--from -: %w", err)
		}
		r = bytes.NewReader(b)
	} else {
		if fi, err := os.Stat(from); err == nil && !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("--from %s: not a regular file; pipe it with --from - instead", from)
		}
		f, err := os.Open(from)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		defer f.Close()
		r = f
	}
	msgs, err := parseLines(r)
	if err != nil {
		return nil, fmt.Errorf("--from %s: %w", from, err)
	}
	return msgs, nil
}

// maxLinesInput caps --from - (standard input is read whole before one
// transaction stores every line).
const maxLinesInput = 1 << 30

// parseLines turns JSON lines into messages. Errors name the line, never
// its payload.
func parseLines(r io.Reader) ([]dequeue.Message, error) {
	br := bufio.NewReader(r) // no line length limit: payloads may be large
	var msgs []dequeue.Message
	lineOf := map[string]int{}
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			m, perr := parseLine(line)
			if perr != nil {
				return nil, fmt.Errorf("line %d: %w", n, perr)
			}
			if first, dup := lineOf[m.ID]; dup {
				return nil, fmt.Errorf("line %d: id %q is already on line %d: IDs must be unique", n, m.ID, first)
			}
			lineOf[m.ID] = n
			msgs = append(msgs, m)
		}
		if err != nil { // io.EOF
			break
		}
	}
	if len(msgs) == 0 {
		return nil, errors.New("no messages: want one JSON object a line")
	}
	return msgs, nil
}

func parseLine(line []byte) (dequeue.Message, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var l queueLine
	if err := dec.Decode(&l); err != nil {
		return dequeue.Message{}, fmt.Errorf("want {\"id\":…,\"payload\":…,\"headers\":{…}}: %w", err)
	}
	if dec.More() {
		return dequeue.Message{}, errors.New("more than one JSON value: want one object a line")
	}
	m := dequeue.Message{ID: l.ID, Headers: l.Headers}
	if m.ID == "" {
		m.ID = destination.NewID()
	}
	if err := sendable(m); err != nil {
		return dequeue.Message{}, err
	}
	switch {
	case len(l.Payload) == 0 || string(l.Payload) == "null":
	case l.Payload[0] == '"':
		var text string
		if err := json.Unmarshal(l.Payload, &text); err != nil {
			return dequeue.Message{}, fmt.Errorf("payload: %w", err)
		}
		m.Payload = []byte(text)
	default:
		m.Payload = []byte(l.Payload)
	}
	return m, nil
}

// statsReport is what `queue stats --json` prints; its field names are part
// of the CLI's interface.
type statsReport struct {
	Pending  int `json:"pending"`
	Due      int `json:"due"`
	InFlight int `json:"inFlight"`
	Dead     int `json:"dead"`
}

func newQueueStatsCommand(s streams) *cobra.Command {
	var (
		file   queueFileFlag
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "stats --queue-file FILE [--json]",
		Short: "Count the queue's messages: pending (and due), in flight, dead",
		Long: `Count the queue's messages: pending (waiting; due ones may be delivered now), in flight
(leased by a dispatcher) and dead. With --json, one object:
  {"pending":int,"due":int,"inFlight":int,"dead":int}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := file.open(false)
			if err != nil {
				return fail(s, exitUsage, fmt.Errorf("queue stats: %w", err))
			}
			defer q.Close()
			st, err := q.Stats(cmd.Context())
			if err != nil {
				return fail(s, exitFailed, err)
			}
			if asJSON {
				return json.NewEncoder(s.out).Encode(statsReport(st))
			}
			fmt.Fprintf(s.out, "pending    %d (due now: %d)\nin flight  %d\ndead       %d\n", st.Pending, st.Due, st.InFlight, st.Dead)
			return nil
		},
	}
	file.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// deadReport is one line of `queue dead --json`; its field names are part
// of the CLI's interface.
type deadReport struct {
	ID         string    `json:"id"`
	Reason     string    `json:"reason"`
	Detail     string    `json:"detail"`
	Attempts   int       `json:"attempts"`
	DiedAt     time.Time `json:"diedAt"`
	EnqueuedAt time.Time `json:"enqueuedAt"`
}

func newQueueDeadCommand(s streams) *cobra.Command {
	var (
		file    queueFileFlag
		requeue bool
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "dead --queue-file FILE [--requeue] [--json]",
		Short: "List the dead letters, or requeue them all",
		Long: `List the messages that will not be delivered without help, oldest first: ID, failure
reason, attempts, when they died, and the error. With --json, one object a line:
  {"id":string,"reason":string,"detail":string,"attempts":int,"diedAt":time,"enqueuedAt":time}

With --requeue, move them all back to the queue, due now with their attempts reset (after
fixing what killed them), and say how many moved; with --json: {"requeued":int}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := file.open(false)
			if err != nil {
				return fail(s, exitUsage, fmt.Errorf("queue dead: %w", err))
			}
			defer q.Close()
			if requeue {
				return requeueDead(cmd.Context(), s, q, asJSON)
			}
			return listDead(cmd.Context(), s, q, asJSON)
		},
	}
	file.register(cmd)
	cmd.Flags().BoolVar(&requeue, "requeue", false, "move every dead letter back to the queue, due now")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: one object a line")
	return cmd
}

func requeueDead(ctx context.Context, s streams, q *dequeue.SQLite, asJSON bool) error {
	n, err := q.Requeue(ctx)
	if err != nil {
		return fail(s, exitFailed, err)
	}
	if asJSON {
		return json.NewEncoder(s.out).Encode(struct {
			Requeued int `json:"requeued"`
		}{n})
	}
	fmt.Fprintf(s.out, "requeued %s\n", plural(n, "message"))
	return nil
}

func listDead(ctx context.Context, s streams, q *dequeue.SQLite, asJSON bool) error {
	dead, err := q.Dead(ctx)
	if err != nil {
		return fail(s, exitFailed, err)
	}
	if asJSON {
		enc := json.NewEncoder(s.out)
		for _, d := range dead {
			if err := enc.Encode(deadReport{d.ID, d.Reason, d.Detail, d.Attempts, d.DiedAt.UTC(), d.EnqueuedAt.UTC()}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(dead) == 0 {
		fmt.Fprintf(s.err, "no dead letters in %s\n", q.Path())
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREASON\tATTEMPTS\tDIED AT\tDETAIL")
	for _, d := range dead {
		detail := strings.Join(strings.Fields(d.Detail), " ") // one line per letter
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", d.ID, d.Reason, d.Attempts, d.DiedAt.UTC().Format(time.RFC3339), detail)
	}
	return tw.Flush()
}
