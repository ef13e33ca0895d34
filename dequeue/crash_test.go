package dequeue_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// The crash test: a child process dispatches from a durable queue file to a
// mutual-TLS server that this (the parent) process owns, and is killed with
// SIGKILL mid-run, several times. A last child runs to the end. Every
// message must have arrived at least once; the duplicates (deliveries whose
// ack the kill prevented) are counted and bounded by kills × workers.

// The child's settings travel in the environment.
const (
	crashModeEnv  = "COURIER_CRASH_CHILD" // "run" (until killed) or "once"
	crashQueueEnv = "COURIER_CRASH_QUEUE"
	crashDestEnv  = "COURIER_CRASH_DESTINATION"
	crashWorkers  = 8
)

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test dispatches thousands of messages")
	}
	// The race detector slows SQLite (transpiled C) several times over.
	n := 10000
	if raceEnabled {
		n = 2000
	}
	srv := destinationtest.NewServer(t)
	dir := t.TempDir()
	queuePath := filepath.Join(dir, "queue.db")
	destPath := writeCrashDestination(t, srv, dir)
	q, err := dequeue.Open(queuePath)
	require.NoError(t, err)
	ids := putMessages(t, q, "crash", n)
	require.NoError(t, q.Close())

	kills := []int{n * 15 / 100, n * 35 / 100, n * 60 / 100}
	var recovered []int
	for i, at := range kills {
		out := killChildAfter(t, srv, queuePath, destPath, at)
		if i > 0 {
			recovered = append(recovered, recoveredCount(t, out))
		}
	}
	final := crashChild(queuePath, destPath, "once")
	out, err := final.CombinedOutput()
	require.NoError(t, err, "final run:\n%s", out)
	recovered = append(recovered, recoveredCount(t, string(out)))

	reqs := srv.Requests()
	seen := make(map[string]int, n)
	for _, r := range reqs {
		id := r.Header.Get("Idempotency-Key")
		seen[id]++
		assert.Equal(t, "payload of "+id, string(r.Body))
	}
	var missing []string
	for _, id := range ids {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	assert.Empty(t, missing, "every message arrived")
	assert.Len(t, seen, n, "no message the queue did not have")
	duplicates := len(reqs) - len(seen)
	t.Logf("%d messages, %d kills: %d requests, %d duplicates; leases recovered by each restart: %v",
		n, len(kills), len(reqs), duplicates, recovered)
	assert.LessOrEqual(t, duplicates, len(kills)*crashWorkers, "only deliveries in flight at a kill are repeated")
	for _, r := range recovered {
		assert.LessOrEqual(t, r, crashWorkers, "a dead dispatcher leaves at most one lease per worker")
	}

	q, err = dequeue.Open(queuePath)
	require.NoError(t, err)
	defer q.Close()
	assert.Equal(t, dequeue.Stats{}, queueStats(t, q), "the queue is empty")
}

// killChildAfter starts a dispatching child, kills it with SIGKILL once the
// server has received at least `at` requests, and returns its output.
func killChildAfter(t *testing.T, srv *destinationtest.Server, queuePath, destPath string, at int) string {
	t.Helper()
	cmd := crashChild(queuePath, destPath, "run")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	waited := make(chan error, 1)
	go func() {
		_, err := srv.WaitForRequests(ctx, at)
		waited <- err
	}()
	select {
	case err := <-waited:
		require.NoError(t, cmd.Process.Kill())
		<-exited
		require.NoError(t, err)
	case err := <-exited:
		t.Fatalf("the child exited before it was killed (%v):\n%s", err, out.String())
	}
	return out.String()
}

// crashChild is the command that re-runs this test binary as a child.
func crashChild(queuePath, destPath, mode string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.count=1") // TestMain runs the child
	cmd.Env = append(os.Environ(), crashModeEnv+"="+mode, crashQueueEnv+"="+queuePath, crashDestEnv+"="+destPath)
	return cmd
}

// recoveredCount reads the "recovered N" line a child prints.
func recoveredCount(t *testing.T, out string) int {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "recovered "); ok {
			n, err := strconv.Atoi(rest)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no recovered line in the child's output:\n%s", out)
	return 0
}

// writeCrashDestination writes a destination JSON for srv, with fast
// in-request retries, for the child to load.
func writeCrashDestination(t *testing.T, srv *destinationtest.Server, dir string) string {
	t.Helper()
	cfg := srv.Destination(t)
	doc, err := json.Marshal(map[string]any{
		"url":            cfg.URL,
		"keystoreFile":   cfg.KeystoreFile,
		"keystorePass":   destinationtest.DefaultPassword,
		"truststoreFile": cfg.TruststoreFile,
		"truststorePass": destinationtest.DefaultPassword,
		"retry":          map[string]any{"maxAttempts": 3, "waitMin": "1ms", "waitMax": "5ms"},
	})
	require.NoError(t, err)
	path := filepath.Join(dir, "destination.json")
	require.NoError(t, os.WriteFile(path, doc, 0o600))
	return path
}

func crashChildMain(mode string) error {
	q, err := dequeue.Open(os.Getenv(crashQueueEnv))
	if err != nil {
		return err
	}
	defer q.Close()
	recovered, err := q.LockForDispatch()
	if err != nil {
		return err
	}
	fmt.Printf("recovered %d\n", recovered)
	cfg, err := destination.Load(os.Getenv(crashDestEnv))
	if err != nil {
		return err
	}
	client, err := destination.New(cfg)
	if err != nil {
		return err
	}
	d, err := dequeue.NewDispatcher(q, client, dequeue.WithWorkers(crashWorkers),
		dequeue.WithSchedule(dequeue.Schedule{0, 0, 0}))
	if err != nil {
		return err
	}
	if mode == "run" {
		return d.Run(context.Background()) // until killed
	}
	sum, err := d.RunOnce(context.Background())
	fmt.Printf("summary %+v\n", sum)
	if err == nil && (sum.Rescheduled > 0 || sum.Dead > 0) {
		err = errors.New("some deliveries failed")
	}
	return err
}
