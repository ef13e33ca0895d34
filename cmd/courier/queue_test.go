package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
)

// leaseAll opens the queue file and leases everything due.
func leaseAll(t *testing.T, path string) []dequeue.Message {
	t.Helper()
	q, err := dequeue.Open(path)
	require.NoError(t, err)
	defer q.Close()
	msgs, err := q.Lease(context.Background(), dequeue.LeaseRequest{Max: 1000, Visibility: time.Minute})
	require.NoError(t, err)
	return msgs
}

func queueStats(t *testing.T, path string) statsReport {
	t.Helper()
	code, stdout, stderr := runCLI(t, nil, "queue", "stats", "--queue-file", path, "--json")
	require.Equal(t, exitOK, code, stderr)
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var r statsReport
	require.NoError(t, dec.Decode(&r), "stdout: %q", stdout)
	return r
}

func TestQueuePutOne(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue.db")
	doc := filepath.Join(dir, "order.xml")
	require.NoError(t, os.WriteFile(doc, []byte("<order id='9'/>"), 0o600))

	tests := []struct {
		name        string
		args        []string
		stdin       string
		wantID      string // "" for a generated one
		wantPayload string
	}{
		{name: "text with id", args: []string{"--data", "hello", "--id", "order-1"}, wantID: "order-1", wantPayload: "hello"},
		{name: "generated id", args: []string{"--data", "hi"}, wantPayload: "hi"},
		{name: "from a file", args: []string{"--data", "@" + doc, "--id", "order-9"}, wantID: "order-9", wantPayload: "<order id='9'/>"},
		{name: "from standard input", args: []string{"--data", "@-", "--id", "stdin"}, stdin: "piped", wantID: "stdin", wantPayload: "piped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"queue", "put", "--queue-file", path}, tt.args...)
			code, stdout, stderr := runCLI(t, strings.NewReader(tt.stdin), args...)
			require.Equal(t, exitOK, code, stderr)
			id := strings.TrimSuffix(stdout, "\n")
			if tt.wantID != "" {
				assert.Equal(t, tt.wantID, id)
			} else {
				assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
			}
			msgs := leaseAll(t, path)
			require.Len(t, msgs, 1)
			assert.Equal(t, id, msgs[0].ID)
			assert.Equal(t, tt.wantPayload, string(msgs[0].Payload))
		})
	}
}

func TestQueuePutFrom(t *testing.T) {
	dir := t.TempDir()
	lines := `{"id":"a","payload":"<a/>","headers":{"Content-Type":"application/xml"}}

{"id":"b","payload":{"order":7}}
{"payload":"no id"}
`
	from := filepath.Join(dir, "msgs.jsonl")
	require.NoError(t, os.WriteFile(from, []byte(lines), 0o600))

	for _, src := range []struct{ name, from, stdin string }{{"file", from, ""}, {"stdin", "-", lines}} {
		t.Run(src.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "queue.db")
			code, stdout, stderr := runCLI(t, strings.NewReader(src.stdin), "queue", "put", "--queue-file", path, "--from", src.from)
			require.Equal(t, exitOK, code, stderr)
			printed := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			require.Len(t, printed, 3)
			assert.Equal(t, []string{"a", "b"}, printed[:2])

			msgs := leaseAll(t, path)
			require.Len(t, msgs, 3)
			assert.Equal(t, "<a/>", string(msgs[0].Payload))
			assert.Equal(t, map[string]string{"Content-Type": "application/xml"}, msgs[0].Headers)
			assert.Equal(t, `{"order":7}`, string(msgs[1].Payload), "a JSON value is stored as its text")
			assert.Equal(t, printed[2], msgs[2].ID, "the generated ID is the one printed")
			assert.Equal(t, "no id", string(msgs[2].Payload))
		})
	}
}

func TestQueuePutRefusals(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue.db")
	code, _, stderr := runCLI(t, nil, "queue", "put", "--queue-file", path, "--id", "taken", "--data", "x")
	require.Equal(t, exitOK, code, stderr)

	tests := []struct {
		name      string
		args      []string
		stdin     string
		wantCode  int
		wantInErr string // what the error must point at
	}{
		{name: "bad JSON line", args: []string{"--from", "-"}, stdin: "{\"id\":\"n1\"}\n{\"id\":\n", wantCode: exitUsage, wantInErr: "line 2"},
		{name: "unknown field", args: []string{"--from", "-"}, stdin: "{\"id\":\"n1\",\"body\":\"x\"}\n", wantCode: exitUsage, wantInErr: "line 1"},
		{name: "two objects on a line", args: []string{"--from", "-"}, stdin: "{\"id\":\"n1\"} {\"id\":\"n2\"}\n", wantCode: exitUsage, wantInErr: "line 1"},
		{name: "repeated id", args: []string{"--from", "-"}, stdin: "{\"id\":\"n1\"}\n{\"id\":\"n1\"}\n", wantCode: exitUsage, wantInErr: "line 2"},
		{name: "no lines", args: []string{"--from", "-"}, stdin: "\n\n", wantCode: exitUsage, wantInErr: "no messages"},
		{name: "id already queued", args: []string{"--from", "-"}, stdin: "{\"id\":\"n1\"}\n{\"id\":\"taken\"}\n", wantCode: exitFailed, wantInErr: `"taken"`},
		{name: "one id already queued", args: []string{"--id", "taken"}, wantCode: exitFailed, wantInErr: `"taken"`},
		{name: "unreadable --from", args: []string{"--from", filepath.Join(dir, "missing.jsonl")}, wantCode: exitUsage, wantInErr: "missing.jsonl"},
		{name: "unreadable --data", args: []string{"--data", "@" + filepath.Join(dir, "missing.xml")}, wantCode: exitUsage, wantInErr: "missing.xml"},
		{name: "--from with --id", args: []string{"--from", "-", "--id", "x"}, wantCode: exitUsage, wantInErr: "--from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"queue", "put", "--queue-file", path}, tt.args...)
			code, stdout, stderr := runCLI(t, strings.NewReader(tt.stdin), args...)
			assert.Equal(t, tt.wantCode, code, stderr)
			assert.Empty(t, stdout, "no ID printed")
			assert.Contains(t, stderr, tt.wantInErr)
			assert.Equal(t, statsReport{Pending: 1, Due: 1}, queueStats(t, path), "nothing stored")
		})
	}
}

func TestQueueFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	tests := []struct {
		name string
		args []string
	}{
		{"stats of no file", []string{"queue", "stats", "--queue-file", missing}},
		{"dead of no file", []string{"queue", "dead", "--queue-file", missing}},
		{"put into no directory", []string{"queue", "put", "--queue-file", filepath.Join(dir, "no", "q.db"), "--data", "x"}},
		{"no --queue-file", []string{"queue", "stats"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tt.args...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.NoFileExists(t, missing, "reading does not create a queue file")
		})
	}
}

func TestQueueStatsText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	code, _, stderr := runCLI(t, strings.NewReader("{}\n{}\n"), "queue", "put", "--queue-file", path, "--from", "-")
	require.Equal(t, exitOK, code, stderr)
	code, stdout, stderr := runCLI(t, nil, "queue", "stats", "--queue-file", path)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "pending    2 (due now: 2)\nin flight  0\ndead       0\n", stdout)
}

func TestQueueDead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "queue.db")
	code, stdout, stderr := runCLI(t, nil, "queue", "dead", "--queue-file", path+".none")
	require.Equal(t, exitUsage, code, stderr)
	require.Empty(t, stdout)

	q, err := dequeue.Open(path)
	require.NoError(t, err)
	require.NoError(t, q.Put(ctx, dequeue.Message{ID: "a"}, dequeue.Message{ID: "b"}, dequeue.Message{ID: "live"}))
	_, err = q.Lease(ctx, dequeue.LeaseRequest{Max: 2, Visibility: time.Minute})
	require.NoError(t, err)
	require.NoError(t, q.DeadLetter(ctx, "a", "client_cert_rejected", "tls: bad certificate\nfrom the server"))
	require.NoError(t, q.DeadLetter(ctx, "b", "http_status", "404 Not Found"))
	require.NoError(t, q.Close())

	code, stdout, stderr = runCLI(t, nil, "queue", "dead", "--queue-file", path)
	require.Equal(t, exitOK, code, stderr)
	rows := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, rows, 3)
	assert.Regexp(t, `^ID\s+REASON\s+ATTEMPTS\s+DIED AT\s+DETAIL$`, rows[0])
	assert.Regexp(t, `^a\s+client_cert_rejected\s+1\s+\d{4}-\d\d-\d\dT\S+\s+tls: bad certificate from the server$`, rows[1])
	assert.Regexp(t, `^b\s+http_status\s+1\s+\S+\s+404 Not Found$`, rows[2])

	code, stdout, stderr = runCLI(t, nil, "queue", "dead", "--queue-file", path, "--json")
	require.Equal(t, exitOK, code, stderr)
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var got []deadReport
	for dec.More() {
		var r deadReport
		require.NoError(t, dec.Decode(&r))
		got = append(got, r)
	}
	require.Len(t, got, 2)
	assert.Equal(t, "a", got[0].ID)
	assert.Equal(t, "tls: bad certificate\nfrom the server", got[0].Detail)
	assert.Equal(t, 1, got[0].Attempts)
	assert.False(t, got[0].DiedAt.IsZero())
	assert.Equal(t, "http_status", got[1].Reason)

	code, stdout, stderr = runCLI(t, nil, "queue", "dead", "--queue-file", path, "--requeue")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "requeued 2 messages\n", stdout)
	assert.Equal(t, statsReport{Pending: 3, Due: 3}, queueStats(t, path))

	code, stdout, stderr = runCLI(t, nil, "queue", "dead", "--queue-file", path)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "no dead letters")
}

func TestQueuePutRefusesMessagesHTTPCannotCarry(t *testing.T) {
	dir := t.TempDir()
	qf := dir + "/q.db"
	code, _, stderr := runCLI(t, strings.NewReader(`{"id":"h1","payload":"x","headers":{"Bad Header":"v"}}`+"\n"),
		"queue", "put", "--queue-file", qf, "--from", "-")
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "Bad Header")

	code, _, stderr = runCLI(t, nil, "queue", "put", "--queue-file", qf, "--data", "x", "--id", "a\nb")
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "--id")
}
