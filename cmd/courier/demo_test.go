package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/check"
	"github.com/mtlscourier/courier/destination"
)

// demoPathIn finds the destination file in the demo's "Try next" commands.
func demoPathIn(t *testing.T, stdout string) string {
	t.Helper()
	m := regexp.MustCompile(`courier check --destination (\S+)`).FindStringSubmatch(stdout)
	require.NotNil(t, m, "no check command in: %s", stdout)
	return m[1]
}

func TestDemo(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "demo")
	require.Equal(t, exitOK, code, stderr)
	for _, want := range []string{
		"1. send:    status 200",
		"2. enqueue: status 200",
		"The server received 2 requests:",
		"  POST /orders\n",
		"  POST /oms/rest/queue/enqueue?",
		"QueueName=Orders%2FInbound",
		"from the client certificate CN=courier-demo-client",
		"Idempotency-Key: demo-order-42",
		"body: " + demoPayload,
		"we present        'CN=courier-demo-client, O=courier', issued by 'CN=courier test intermediate, O=courier'",
		"the server shows  'CN=localhost, O=courier'",
		"courier send --destination ",
	} {
		assert.Contains(t, stdout, want)
	}
	_, err := os.Stat(demoPathIn(t, stdout))
	assert.ErrorIs(t, err, os.ErrNotExist, "the temporary folder is removed at exit")
}

func TestDemoKeep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kept")
	code, stdout, stderr := runCLI(t, nil, "demo", "--keep", dir)
	require.Equal(t, exitOK, code, stderr)
	path := filepath.Join(dir, demoDestination)
	assert.Equal(t, path, demoPathIn(t, stdout))
	for _, f := range []string{demoDestination, demoKeystore, demoTruststore} {
		fi, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
	}

	// The kept files load and open; only the server is gone.
	cfg, err := destination.Load(path)
	require.NoError(t, err)
	kp, err := destination.LoadKeyPair(cfg)
	require.NoError(t, err)
	assert.Equal(t, demoClientName, kp.Leaf().Subject.CommonName)
	code, stdout, _ = runCLI(t, nil, "check", "--destination", path, "--json")
	assert.Equal(t, exitFailed, code)
	r := decodeCheckReport(t, stdout)
	assert.Equal(t, string(destination.ReasonConnectionFailed), r.Reason)
	for _, name := range []string{check.Destination, check.Keystore, check.Chain, check.Validity, check.Truststore} {
		assert.Equal(t, "pass", checkStatus(r, name), name)
	}

	// A second run refuses to overwrite them.
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	code, _, stderr = runCLI(t, nil, "demo", "--keep", dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "already exists")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

// signalWriter is a buffer that closes seen when marker is written.
type signalWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	seen   chan struct{}
	once   sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestDemoServe runs the commands the demo suggests while it serves.
func TestDemoServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &signalWriter{marker: "until you press Ctrl-C", seen: make(chan struct{})}
	var errOut bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"demo", "--serve"}, strings.NewReader(""), out, &errOut) }()

	select {
	case <-out.seen:
	case code := <-done:
		t.Fatalf("demo ended with %d before serving: %s", code, errOut.String())
	}
	path := demoPathIn(t, out.String())
	code, stdout, stderr := runCLI(t, nil, "check", "--destination", path)
	assert.Equal(t, exitOK, code, stdout+stderr)
	code, stdout, stderr = runCLI(t, nil, "send", "--destination", path, "--data", "<order id='43'/>")
	assert.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "ok", stdout)

	cancel()
	assert.Equal(t, exitOK, <-done, errOut.String())
	assert.Contains(t, out.String(), "The demo server has stopped.")
	_, err := os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
