package destinationtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a real mutual-TLS HTTPS server on loopback (127.0.0.1, a free
// port), speaking HTTP/1.1 like most partner endpoints. By default it
// requires a client certificate and verifies it against its CA's root
// (tls.RequireAndVerifyClientCert), records every request that gets through
// the handshake, and answers 200 "ok". FailNext and Delay script its
// answers; Connections and Handshakes show whether a client reuses
// connections and TLS sessions.
type Server struct {
	// URL is the base URL, https://127.0.0.1:port, with no trailing slash.
	URL string
	// CA issued the server's certificate (unless WithServerIdentity) and
	// verifies client certificates (unless WithClientCAs).
	CA *CA

	handler http.Handler
	srv     *http.Server
	served  chan struct{} // closed when srv.Serve returns
	rec     *recorder
	script  script

	conns, full, resumed atomic.Int64

	mu       sync.Mutex
	closed   bool
	closing  chan struct{} // closed by Close, to end delays
	inflight sync.WaitGroup
	client   *Identity // memoised ClientIdentity
}

// NewServer starts a server; tb.Cleanup closes it. It ends the test if an
// option is invalid or the server cannot listen.
func NewServer(tb TB, opts ...ServerOption) *Server {
	tb.Helper()
	cfg, err := newServerConfig(opts)
	if err != nil {
		fatal(tb, err)
	}
	if cfg.ca == nil {
		cfg.ca = NewCA(tb)
	}
	if cfg.identity == nil {
		cfg.identity = cfg.ca.IssueServer(tb)
	}
	if cfg.clientCAs == nil {
		cfg.clientCAs = cfg.ca.Pool()
	}
	s, err := startServer(cfg)
	if err != nil {
		fatal(tb, err)
	}
	tb.Cleanup(s.Close)
	return s
}

func startServer(cfg serverConfig) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("destinationtest: listen on loopback: %w", err)
	}
	s := &Server{
		URL:     "https://" + ln.Addr().String(),
		CA:      cfg.ca,
		handler: cfg.handler,
		served:  make(chan struct{}),
		rec:     newRecorder(),
		closing: make(chan struct{}),
	}
	s.srv = &http.Server{
		Handler:   http.HandlerFunc(s.serveHTTP),
		ConnState: s.connState,
		// An empty map turns HTTP/2 off, so one connection is one TCP
		// connection and Connections means what it says.
		TLSNextProto:      map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ReadHeaderTimeout: 10 * time.Second,
		// Handshake failures are what many tests provoke: keep them quiet.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	tlsConfig := &tls.Config{
		Certificates:     []tls.Certificate{cfg.identity.TLSCertificate()},
		ClientAuth:       cfg.clientAuth,
		ClientCAs:        cfg.clientCAs,
		MinVersion:       cfg.minVersion,
		MaxVersion:       cfg.maxVersion,
		NextProtos:       []string{"http/1.1"},
		VerifyConnection: s.countHandshake,
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(tls.NewListener(ln, tlsConfig))
	}()
	return s, nil
}

// connState counts accepted TCP connections.
func (s *Server) connState(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		s.conns.Add(1)
	}
}

// countHandshake runs once per handshake, full or resumed, after the
// client certificate was verified.
func (s *Server) countHandshake(cs tls.ConnectionState) error {
	if cs.DidResume {
		s.resumed.Add(1)
	} else {
		s.full.Add(1)
	}
	return nil
}

// serveHTTP records the request, then answers with the next scripted
// failure or the handler, after the delay.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "destinationtest: server closed", http.StatusServiceUnavailable)
		return
	}
	defer s.inflight.Done()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the client went away before its request arrived whole
	}
	s.rec.record(newRequest(r, body))
	failure, failing := s.script.next()
	if !s.sleep(r.Context(), s.script.getDelay()) {
		// Returning would send an implicit 200: drop the connection
		// instead, as a server going away does.
		panic(http.ErrAbortHandler)
	}
	if failing {
		writeStatus(w, failure)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.handler.ServeHTTP(w, r)
}

// enter counts a request in flight unless the server is closed, so Close
// can wait for it.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

// sleep waits d and reports whether to go on: false when the client gave up
// or the server is closing.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}

// Requests returns copies of the requests that arrived, in order, failed
// ones included. A request that never got through the TLS handshake is
// not one.
func (s *Server) Requests() []Request { return s.rec.requests() }

// WaitForRequests blocks until at least n requests arrived, and returns
// them all; or until ctx is done, and returns those that arrived with an
// error wrapping ctx.Err().
func (s *Server) WaitForRequests(ctx context.Context, n int) ([]Request, error) {
	return s.rec.wait(ctx, n)
}

// FailNext makes the next n requests, after those already scripted, get
// status instead of the handler's answer, with a Retry-After header when
// retryAfter is not empty ("2", or an HTTP date). They are recorded too.
// It panics if status is not a valid HTTP status code.
func (s *Server) FailNext(n int, status int, retryAfter string) {
	s.script.push(n, statusOutcome(status, retryAfter))
}

// Delay makes every later response wait d first; 0 ends the delay. A
// request whose context ends first (a client timeout) gets no response.
func (s *Server) Delay(d time.Duration) { s.script.setDelay(d) }

// Connections returns how many TCP connections the server accepted: 1
// after several requests shows that the client keeps connections alive.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// Handshakes returns how many TLS handshakes got past certificate
// verification, split into full ones and resumed ones: resumed > 0 shows
// that the client resumes TLS sessions on new connections.
func (s *Server) Handshakes() (full, resumed int) {
	return int(s.full.Load()), int(s.resumed.Load())
}

// Close shuts the server down: it closes the listener and every
// connection, ends delays, and waits for handlers to return. It is safe to
// call more than once; NewServer registers it with tb.Cleanup.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.closing)
	_ = s.srv.Close()
	<-s.served
	s.inflight.Wait()
}
