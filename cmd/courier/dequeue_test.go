package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// fillQueue creates a queue file with n messages and returns its path.
func fillQueue(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "outbox.db")
	q, err := dequeue.Open(path)
	require.NoError(t, err)
	defer q.Close()
	msgs := make([]dequeue.Message, n)
	for i := range msgs {
		msgs[i] = dequeue.Message{ID: fmt.Sprintf("m-%03d", i), Payload: []byte(fmt.Sprintf("<order n='%d'/>", i))}
	}
	require.NoError(t, q.Put(context.Background(), msgs...))
	return path
}

// dequeueStats counts the messages of the queue file at path.
func dequeueStats(t *testing.T, path string) dequeue.Stats {
	t.Helper()
	q, err := dequeue.Open(path)
	require.NoError(t, err)
	defer q.Close()
	s, err := q.Stats(context.Background())
	require.NoError(t, err)
	return s
}

func TestDequeueOnceDeliversEverything(t *testing.T) {
	srv := destinationtest.NewServer(t)
	queue := fillQueue(t, 25)
	code, stdout, stderr := runCLI(t, nil, "dequeue", "--destination", writeDestination(t, srv.Destination(t), ""),
		"--queue-file", queue, "--once", "--workers", "3")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "no deliveries were left in flight")
	assert.Regexp(t, `dequeue: delivered 25, rescheduled 0, dead 0 in \S+ \(\d+ msgs/s\)\n$`, stderr)
	assert.NotContains(t, stderr, "<order", "no payload in the output")
	reqs := srv.Requests()
	require.Len(t, reqs, 25)
	assert.Equal(t, "<order n='7'/>", string(findByID(t, reqs, "m-007").Body))
	assert.Equal(t, dequeue.Stats{}, dequeueStats(t, queue))
}

func findByID(t *testing.T, reqs []destinationtest.Request, id string) destinationtest.Request {
	t.Helper()
	for _, r := range reqs {
		if r.Header.Get("Idempotency-Key") == id {
			return r
		}
	}
	t.Fatalf("no request with Idempotency-Key %s", id)
	return destinationtest.Request{}
}

// --once exits 1 when anything was rescheduled or dead-lettered. The
// destination's client makes 3 attempts per delivery.
func TestDequeueOnceFailsWhenSomethingFailed(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		status    int
		flag      string
		wantLine  string
		wantStats dequeue.Stats
	}{
		{name: "dead letter", failures: 1, status: http.StatusBadRequest, flag: "--workers=1",
			wantLine: "delivered 2, rescheduled 0, dead 1", wantStats: dequeue.Stats{Dead: 1}},
		{name: "rescheduled, then delivered", failures: 3, status: http.StatusServiceUnavailable, flag: "--workers=1",
			wantLine: "delivered 3, rescheduled 1, dead 0"},
		{name: "strict order holds the line", failures: 6, status: http.StatusServiceUnavailable, flag: "--strict-order",
			wantLine: "delivered 0, rescheduled 2, dead 0", wantStats: dequeue.Stats{Pending: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t)
			srv.FailNext(tt.failures, tt.status, "")
			queue := fillQueue(t, 3)
			code, _, stderr := runCLI(t, nil, "dequeue", "--destination", writeDestination(t, srv.Destination(t), ""),
				"--queue-file", queue, "--once", tt.flag)
			assert.Equal(t, exitFailed, code, stderr)
			assert.Contains(t, stderr, tt.wantLine)
			s := dequeueStats(t, queue)
			s.Due = 0
			assert.Equal(t, tt.wantStats, s)
		})
	}
}

func TestDequeueRefusals(t *testing.T) {
	srv := destinationtest.NewServer(t)
	dest := writeDestination(t, srv.Destination(t), "")
	tests := []struct {
		name     string
		args     func(t *testing.T) []string
		wantCode int
		want     string
	}{
		{
			name: "another dispatcher holds the file",
			args: func(t *testing.T) []string {
				queue := fillQueue(t, 1)
				q, err := dequeue.Open(queue)
				require.NoError(t, err)
				t.Cleanup(func() { _ = q.Close() })
				_, err = q.LockForDispatch()
				require.NoError(t, err)
				return []string{"--destination", dest, "--queue-file", queue}
			},
			wantCode: exitUsage, want: fmt.Sprintf("(pid %d)", os.Getpid()),
		},
		{
			name: "no queue file",
			args: func(t *testing.T) []string {
				return []string{"--destination", dest, "--queue-file", filepath.Join(t.TempDir(), "absent.db")}
			},
			wantCode: exitUsage, want: "no queue file",
		},
		{
			name: "wrong keystore password",
			args: func(t *testing.T) []string {
				path := writeDestination(t, srv.Destination(t), "")
				b, err := os.ReadFile(path)
				require.NoError(t, err)
				b = bytes.Replace(b, []byte("keystorePass: 'changeit'"), []byte("keystorePass: 'Hunter2-secret'"), 1)
				require.NoError(t, os.WriteFile(path, b, 0o600))
				return []string{"--destination", path, "--queue-file", fillQueue(t, 1)}
			},
			wantCode: exitUsage, want: "keystore_password",
		},
		{
			name: "strict order with workers",
			args: func(t *testing.T) []string {
				return []string{"--destination", dest, "--queue-file", fillQueue(t, 1), "--strict-order", "--workers", "4"}
			},
			wantCode: exitUsage, want: "WithStrictOrder delivers one message at a time",
		},
		{
			name: "no workers",
			args: func(t *testing.T) []string {
				return []string{"--destination", dest, "--queue-file", fillQueue(t, 1), "--workers", "0"}
			},
			wantCode: exitUsage, want: "dequeue: --workers must be at least 1 (got 0)",
		},
		{
			name: "negative workers, checked before the destination and the queue file",
			args: func(t *testing.T) []string {
				absent := filepath.Join(t.TempDir(), "absent")
				return []string{"--destination", absent + ".json", "--queue-file", absent + ".db", "--workers", "-1"}
			},
			wantCode: exitUsage, want: "dequeue: --workers must be at least 1 (got -1)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, append([]string{"dequeue", "--once"}, tt.args(t)...)...)
			assert.Equal(t, tt.wantCode, code, stderr)
			assert.Contains(t, stderr, tt.want)
			assert.NotContains(t, stderr, "Hunter2-secret")
		})
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

// Messages a killed dispatcher left leased are delivered at once.
func TestDequeueRecoversAbandonedDeliveries(t *testing.T) {
	srv := destinationtest.NewServer(t)
	queue := fillQueue(t, 5)
	q, err := dequeue.Open(queue)
	require.NoError(t, err)
	leased, err := q.Lease(context.Background(), dequeue.LeaseRequest{Max: 2, Visibility: time.Hour})
	require.NoError(t, err)
	require.Len(t, leased, 2)
	require.NoError(t, q.Close())

	code, _, stderr := runCLI(t, nil, "dequeue", "--destination", writeDestination(t, srv.Destination(t), ""),
		"--queue-file", queue, "--once")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "2 messages a previous dispatcher left in flight are due again")
	assert.Len(t, srv.Requests(), 5)
}

// Without --once it runs until interrupted, then drains and exits 0.
func TestDequeueRunsUntilInterrupted(t *testing.T) {
	srv := destinationtest.NewServer(t)
	queue := fillQueue(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"dequeue", "--destination", writeDestination(t, srv.Destination(t), ""),
			"--queue-file", queue}, strings.NewReader(""), &stdout, &stderr)
	}()
	waitCtx, stopWaiting := context.WithTimeout(ctx, time.Minute)
	defer stopWaiting()
	_, err := srv.WaitForRequests(waitCtx, 10)
	require.NoError(t, err)
	cancel()
	assert.Equal(t, exitOK, <-done, stderr.String())
	assert.Contains(t, stderr.String(), "dequeue: delivered 10, rescheduled 0, dead 0")
	assert.Equal(t, dequeue.Stats{}, dequeueStats(t, queue))
}

func TestDequeueProgress(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		want     string
	}{
		{name: "terminal", terminal: true,
			want: "\r\033[Kdelivered 3, rescheduled 1, dead 1, 6 msgs/s" +
				"\r\033[Kdequeue: delivered 3, rescheduled 1, dead 1 in 1s (3 msgs/s)\n"},
		{name: "log", terminal: false,
			want: "2030-01-02 03:04:05 dequeue: delivered 3, rescheduled 1, dead 1, 6 msgs/s\n" +
				"dequeue: delivered 3, rescheduled 1, dead 1 in 1s (3 msgs/s)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
			var out bytes.Buffer
			p := newProgress(&out, tt.terminal, func() time.Time { return now })
			h := p.hooks()
			for range 3 {
				h.OnDelivered(dequeue.Message{}, destination.Result{})
			}
			h.OnRescheduled(dequeue.Message{}, now, "timeout")
			h.OnDead(dequeue.Message{}, "http_status")
			now = now.Add(500 * time.Millisecond)
			p.show()
			now = now.Add(500 * time.Millisecond)
			p.summary()
			assert.Equal(t, tt.want, out.String())
		})
	}
}
