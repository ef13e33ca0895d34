package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
)

func newDequeueCommand(s streams) *cobra.Command {
	var (
		dest    destinationFlags
		file    queueFileFlag
		workers int
		strict  bool
		once    bool
	)
	cmd := &cobra.Command{
		Use:   "dequeue --destination FILE --queue-file FILE [--workers N] [--strict-order] [--once]",
		Short: "Deliver a queue file's messages to a destination, at least once",
		Long: `Deliver the messages of a queue file to the destination, at least once: a message
leaves the queue only after the destination answered 2xx. Failures that may pass
(connection, timeout, 408, 429, 5xx) are retried later on a schedule (at once, 5s, 5m,
30m, 2h, 5h, 10h, 10h); failures that will not (a refused certificate, an untrusted
server, any other 4xx) go to the dead letters at once ('courier queue dead').

One dispatcher runs on a queue file at a time; messages a killed one left in flight are
delivered again at once. Without --once it runs until interrupted (Ctrl-C, SIGTERM),
then lets deliveries in flight finish. Progress goes to stderr: a live counter on a
terminal, otherwise a line a minute and a summary at the end.

Exit codes: 0 done (with --once: everything due was delivered); 1 with --once, some
messages were rescheduled or dead-lettered, or the queue failed; 2 usage or
configuration error (bad destination, queue file missing or held by another dispatcher).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Checked here, before the destination or the queue file is opened, in the flag's own words.
			if workers < 1 {
				return fail(s, exitUsage, fmt.Errorf("dequeue: %w (got %d)", errWorkers, workers))
			}
			opts := []dequeue.Option{}
			if cmd.Flags().Changed("workers") {
				opts = append(opts, dequeue.WithWorkers(workers))
			}
			if strict {
				opts = append(opts, dequeue.WithStrictOrder())
			}
			if dest.verbose {
				opts = append(opts, dequeue.WithLogger(slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			}
			return runDequeue(cmd.Context(), s, &dest, &file, once, opts)
		},
	}
	dest.register(cmd)
	file.register(cmd)
	cmd.Flags().IntVar(&workers, "workers", dequeue.DefaultWorkers, "deliveries in flight at once")
	cmd.Flags().BoolVar(&strict, "strict-order", false, "deliver in queue order, one at a time; a message waiting for a retry holds the line")
	cmd.Flags().BoolVar(&once, "once", false, "deliver what is due now, then exit")
	return cmd
}

// errWorkers refuses a --workers below 1.
var errWorkers = errors.New("--workers must be at least 1")

// runDequeue builds the client, takes the queue file for dispatch and runs
// the dispatcher, with progress on s.err.
func runDequeue(ctx context.Context, s streams, dest *destinationFlags, file *queueFileFlag, once bool, opts []dequeue.Option) error {
	client, err := dest.client(s)
	if err != nil {
		fmt.Fprintf(s.err, "courier: dequeue: %s\n", humanLine("", destination.Result{}, err))
		return exitError{code: exitUsage}
	}
	defer client.Close()
	q, err := file.open(false)
	if err != nil {
		return fail(s, exitUsage, fmt.Errorf("dequeue: %w", err))
	}
	defer q.Close()
	recovered, err := q.LockForDispatch()
	switch {
	case errors.Is(err, dequeue.ErrLocked):
		return fail(s, exitUsage, err)
	case err != nil:
		return fail(s, exitFailed, err)
	}
	fmt.Fprintf(s.err, "dequeue: %s: %s\n", file.path, recoveredLine(recovered))
	p := newProgress(s.err, isTerminal(s.err), time.Now)
	d, err := dequeue.NewDispatcher(q, client, append(opts, dequeue.WithHooks(p.hooks()))...)
	if err != nil {
		return fail(s, exitUsage, err)
	}
	stop := p.start()
	var sum dequeue.Summary
	if once {
		sum, err = d.RunOnce(ctx)
	} else {
		err = d.Run(ctx)
	}
	stop()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fail(s, exitFailed, err)
	}
	if once && sum.Rescheduled+sum.Dead > 0 {
		return exitError{code: exitFailed}
	}
	return nil
}

func recoveredLine(n int) string {
	switch n {
	case 0:
		return "no deliveries were left in flight"
	case 1:
		return "1 message a previous dispatcher left in flight is due again"
	}
	return fmt.Sprintf("%d messages a previous dispatcher left in flight are due again", n)
}

// isTerminal reports whether w is a terminal, where a live counter can be
// redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Progress redraw and log intervals.
const (
	redrawEvery = 250 * time.Millisecond
	logEvery    = time.Minute
)

// progress counts outcomes from the dispatcher's hooks and shows them: on a
// terminal a one-line counter redrawn in place, otherwise a log line a
// minute; a summary at the end either way.
type progress struct {
	w        io.Writer
	terminal bool
	now      func() time.Time
	started  time.Time

	delivered, rescheduled, dead atomic.Int64

	// last is the previous sample, for the rate since then.
	lastAt        time.Time
	lastDelivered int64
}

func newProgress(w io.Writer, terminal bool, now func() time.Time) *progress {
	t := now()
	return &progress{w: w, terminal: terminal, now: now, started: t, lastAt: t}
}

func (p *progress) hooks() dequeue.Hooks {
	return dequeue.Hooks{
		OnDelivered:   func(dequeue.Message, destination.Result) { p.delivered.Add(1) },
		OnRescheduled: func(dequeue.Message, time.Time, destination.Reason) { p.rescheduled.Add(1) },
		OnDead:        func(dequeue.Message, destination.Reason) { p.dead.Add(1) },
	}
}

// start shows progress until the returned func is called, which prints the
// summary.
func (p *progress) start() (stop func()) {
	every := logEvery
	if p.terminal {
		every = redrawEvery
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				p.show()
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		p.summary()
	}
}

// show draws the counter over the previous one, or logs a line.
func (p *progress) show() {
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", p.line())
		return
	}
	fmt.Fprintf(p.w, "%s dequeue: %s\n", p.now().Format(time.DateTime), p.line())
}

// line is the counts and the delivery rate since the previous line.
func (p *progress) line() string {
	now, delivered := p.now(), p.delivered.Load()
	rate := 0.0
	if secs := now.Sub(p.lastAt).Seconds(); secs > 0 {
		rate = float64(delivered-p.lastDelivered) / secs
	}
	p.lastAt, p.lastDelivered = now, delivered
	return fmt.Sprintf("delivered %d, rescheduled %d, dead %d, %.0f msgs/s",
		delivered, p.rescheduled.Load(), p.dead.Load(), rate)
}

// summary is the last line: the counts and the average rate.
func (p *progress) summary() {
	if p.terminal {
		fmt.Fprint(p.w, "\r\033[K")
	}
	took := p.now().Sub(p.started)
	delivered := p.delivered.Load()
	rate := 0.0
	if took > 0 {
		rate = float64(delivered) / took.Seconds()
	}
	fmt.Fprintf(p.w, "dequeue: delivered %d, rescheduled %d, dead %d in %s (%.0f msgs/s)\n",
		delivered, p.rescheduled.Load(), p.dead.Load(), took.Round(time.Millisecond), rate)
}
