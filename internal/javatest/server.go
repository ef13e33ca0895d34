package javatest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// startTimeout bounds how long Start waits for the JVM to listen.
const startTimeout = 30 * time.Second

// maxLine bounds one stdout line: a REQUEST carries its body in base64.
const maxLine = 256 << 20

// errExited means the Java process ended before what was waited for.
var errExited = errors.New("javatest: the Java server exited")

// Server is a running MtlsServer.
type Server struct {
	// URL is https://localhost:PORT, matching the fixture server certificate's SAN.
	URL string

	cmd    *exec.Cmd
	stdin  io.Closer // MtlsServer exits when this closes, even if the test binary dies
	stderr *tailBuffer
	ready  chan int      // the port from LISTENING
	done   chan struct{} // closed once stdout is drained and the process reaped

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever a line is recorded
	requests []Request
	failures []string
	err      error // first malformed line
}

// Start compiles (once per process) and starts MtlsServer with opts, waits
// until it listens, and stops it in tb.Cleanup. It skips the test when java or
// javac is missing and fails it when the server does not come up.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if !Available() {
		tb.Skip("javatest: java and javac are not on PATH; install a JDK 17 or later to run the Java interop tests")
	}
	dir, err := compiled()
	if err != nil {
		tb.Fatal(err)
	}
	opts, err = opts.withDefaults()
	if err != nil {
		tb.Fatal(err)
	}
	s, err := launch(dir, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.stop)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	port, err := s.waitListening(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	s.URL = "https://localhost:" + strconv.Itoa(port)
	return s
}

// launch starts the JVM and the goroutine that reads its stdout.
func launch(classDir string, opts Options) (*Server, error) {
	// Client JIT and serial GC: the server lives for one test, so a fast
	// start matters more than peak speed.
	args := append([]string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classDir, mainClass}, opts.args()...)
	s := &Server{
		cmd:     exec.Command("java", args...),
		stderr:  &tailBuffer{max: 64 << 10},
		ready:   make(chan int, 1),
		done:    make(chan struct{}),
		changed: make(chan struct{}),
	}
	s.cmd.Stderr = s.stderr
	stdin, err := s.cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("javatest: java stdin: %w", err)
	}
	s.stdin = stdin
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("javatest: java stdout: %w", err)
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("javatest: start java: %w", err)
	}
	go s.read(stdout)
	return s, nil
}

// waitListening returns the port from the LISTENING line.
func (s *Server) waitListening(ctx context.Context) (int, error) {
	select {
	case port := <-s.ready:
		return port, nil
	case <-s.done:
		return 0, fmt.Errorf("%w before listening: %v\n%s", errExited, s.cmd.ProcessState, s.stderr)
	case <-ctx.Done():
		return 0, fmt.Errorf("javatest: the Java server did not listen within %v: %w\n%s", startTimeout, ctx.Err(), s.stderr)
	}
}

// read records every stdout line until the process ends, then reaps it.
func (s *Server) read(stdout io.Reader) {
	defer close(s.done)
	r := bufio.NewScanner(stdout)
	r.Buffer(make([]byte, 64<<10), maxLine)
	for r.Scan() {
		s.record(r.Bytes())
	}
	if err := r.Err(); err != nil {
		s.fail(fmt.Errorf("javatest: read the Java server's output: %w", err))
		_, _ = io.Copy(io.Discard, stdout) // let the JVM go on writing
	}
	_ = s.cmd.Wait()
}

// record handles one line of MtlsServer's protocol.
func (s *Server) record(line []byte) {
	word, rest, _ := bytes.Cut(line, []byte(" "))
	switch string(word) {
	case "LISTENING":
		port, err := strconv.Atoi(string(rest))
		if err != nil {
			s.fail(fmt.Errorf("javatest: malformed LISTENING line %q", line))
			return
		}
		select {
		case s.ready <- port:
		default: // only the first LISTENING counts
		}
	case "REQUEST":
		req, err := parseRequest(rest)
		if err != nil {
			s.fail(err)
			return
		}
		s.update(func() { s.requests = append(s.requests, req) })
	case "HANDSHAKE_FAILED":
		s.update(func() { s.failures = append(s.failures, string(rest)) })
	}
}

func (s *Server) fail(err error) {
	s.update(func() {
		if s.err == nil {
			s.err = err
		}
	})
}

// update changes the record under the lock and wakes every waiter.
func (s *Server) update(change func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change()
	close(s.changed)
	s.changed = make(chan struct{})
}

// stop kills the JVM and waits until its output is drained.
func (s *Server) stop() {
	_ = s.stdin.Close()
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneRequests(s.requests)
}

// WaitForRequests waits until the server has received at least n requests
// and returns them all. It returns what it has with an error when ctx ends,
// the server exits first, or the server printed a malformed line.
func (s *Server) WaitForRequests(ctx context.Context, n int) ([]Request, error) {
	var got []Request
	err := s.wait(ctx, func() bool {
		got = cloneRequests(s.requests)
		return len(got) >= n
	})
	if err != nil {
		return got, fmt.Errorf("javatest: waiting for %d requests, got %d: %w", n, len(got), err)
	}
	return got, nil
}

// HandshakeFailures returns the TLS failures the server has seen so far, as
// JSSE's messages (e.g. "Empty client certificate chain").
func (s *Server) HandshakeFailures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.failures...)
}

// WaitForHandshakeFailures waits until the server has seen at least n TLS
// failures and returns them all; it fails like WaitForRequests.
func (s *Server) WaitForHandshakeFailures(ctx context.Context, n int) ([]string, error) {
	var got []string
	err := s.wait(ctx, func() bool {
		got = append([]string(nil), s.failures...)
		return len(got) >= n
	})
	if err != nil {
		return got, fmt.Errorf("javatest: waiting for %d handshake failures, got %d: %w", n, len(got), err)
	}
	return got, nil
}

// wait calls done under the lock after every recorded line until it
// returns true; it never polls.
func (s *Server) wait(ctx context.Context, done func() bool) error {
	for {
		s.mu.Lock()
		ok, err, changed := done(), s.err, s.changed
		s.mu.Unlock()
		switch {
		case ok:
			return nil
		case err != nil:
			return err
		}
		select {
		case <-changed:
		case <-s.done:
			s.mu.Lock()
			ok = done()
			s.mu.Unlock()
			if ok {
				return nil
			}
			return errExited
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func cloneRequests(reqs []Request) []Request {
	out := make([]Request, len(reqs))
	for i, r := range reqs {
		out[i] = r.clone()
	}
	return out
}
