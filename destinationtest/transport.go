package destinationtest

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// Transport is an in-memory http.RoundTripper that serves an http.Handler
// with no sockets, like an httptest.ResponseRecorder behind a
// RoundTripper. It records requests and can simulate the failures of a
// real mutual-TLS connection with the same error values crypto/tls and
// net return, so courier classifies them exactly like real ones. Use it to
// unit-test code that sends through courier without certificates.
//
// Give it to an http.Client, or to courier with destination.WithTransport.
// No TLS happens: the handler's request has a nil TLS field.
type Transport struct {
	handler    http.Handler
	rec        *recorder
	script     script
	roundTrips atomic.Int64

	certOnce sync.Once
	cert     *x509.Certificate // the simulated peer's certificate
	certErr  error
}

// NewTransport returns a Transport serving h; nil h answers 200 "ok".
func NewTransport(h http.Handler) *Transport {
	if h == nil {
		h = http.HandlerFunc(okHandler)
	}
	return &Transport{handler: h, rec: newRecorder()}
}

// RoundTrip serves req with the handler, unless a failure is scripted.
// It reads and closes req's body, records the request, and returns a
// response with StatusCode, Header, Body, ContentLength, Request and
// protocol HTTP/1.1. It returns ctx.Err() if req's context ends first.
// Errors are returned bare: http.Client wraps them in *url.Error, as it
// wraps http.Transport's.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.roundTrips.Add(1)
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	failure, failing := t.script.next()
	if failing && failure.status == 0 {
		closeBody(req)
		return nil, t.wireError(failure, req)
	}
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	sr := serverRequest(req, body)
	t.rec.record(newRequest(sr, body))
	if err := sleep(ctx, t.script.getDelay()); err != nil {
		return nil, err
	}
	if failing {
		rec := httptest.NewRecorder()
		writeStatus(rec, failure)
		return response(rec, req), nil
	}
	return t.serve(sr, req)
}

// serve runs the handler on its own goroutine, as a server would, so that
// a handler that blocks cannot outlive req's context for the caller.
func (t *Transport) serve(sr, req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	done := make(chan error, 1)
	go func() {
		defer func() { done <- recoverHandler(recover()) }()
		t.handler.ServeHTTP(rec, sr)
	}()
	select {
	case err := <-done:
		if err != nil {
			return nil, err
		}
		return response(rec, req), nil
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
}

// recoverHandler turns a handler's panic into the error a client sees
// when a server drops the connection, as net/http's server does.
func recoverHandler(p any) error {
	switch p {
	case nil:
		return nil
	case http.ErrAbortHandler:
		return fmt.Errorf("destinationtest: handler aborted the response: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("destinationtest: handler panicked: %v: %w", p, io.ErrUnexpectedEOF)
}

// Requests returns copies of the requests that reached the transport's
// handler, in order, scripted status failures included. Simulated wire
// failures are not requests (they never reached a server): RoundTrips
// counts them too.
func (t *Transport) Requests() []Request { return t.rec.requests() }

// WaitForRequests blocks until at least n requests were recorded, and
// returns them all; or until ctx is done, and returns those recorded with
// an error wrapping ctx.Err().
func (t *Transport) WaitForRequests(ctx context.Context, n int) ([]Request, error) {
	return t.rec.wait(ctx, n)
}

// RoundTrips returns how many times RoundTrip was called, failures
// included: the number of attempts a retrying client made.
func (t *Transport) RoundTrips() int { return int(t.roundTrips.Load()) }

// FailStatus makes the next n round trips, after those already scripted,
// answer status, with a Retry-After header when retryAfter is not empty.
// It panics if status is not a valid HTTP status code.
func (t *Transport) FailStatus(n int, status int, retryAfter string) {
	t.script.push(n, statusOutcome(status, retryAfter))
}

// FailNextError makes the next n round trips, after those already
// scripted, return err as it is: for failures FailNext does not name,
// such as tls.AlertError(116), TLS 1.3's certificate_required.
func (t *Transport) FailNextError(n int, err error) {
	if err == nil {
		panic("destinationtest: FailNextError with a nil error")
	}
	t.script.push(n, outcome{err: err})
}

// Delay makes every later round trip wait d before the handler runs; 0 ends
// the delay. A round trip whose context ends first returns ctx.Err(), as
// http.Transport does on a client timeout.
func (t *Transport) Delay(d time.Duration) { t.script.setDelay(d) }

// sleep waits d unless ctx ends first, whose error it then returns.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// readBody reads and closes req's body, as a transport must.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer closeBody(req)
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("destinationtest: read request body: %w", err)
	}
	return body, nil
}

// serverRequest is req as a server would see it: a path-only URL, the
// Host, RequestURI and a documentation-range remote address.
func serverRequest(req *http.Request, body []byte) *http.Request {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	header := req.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	sr := &http.Request{
		Method:        method,
		URL:           &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery},
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Host:          host,
		RemoteAddr:    "192.0.2.1:1234",
		RequestURI:    req.URL.RequestURI(),
	}
	return sr.WithContext(req.Context())
}

// response turns the recorded answer into the client's response.
func response(rec *httptest.ResponseRecorder, req *http.Request) *http.Response {
	resp := rec.Result()
	resp.Request = req
	if resp.ContentLength < 0 {
		n := rec.Body.Len()
		resp.ContentLength = int64(n)
		resp.Header.Set("Content-Length", strconv.Itoa(n))
	}
	return resp
}

// FailNext makes the next n round trips, after those already scripted,
// fail as reason would on a real connection:
//
//   - server_untrusted: *tls.CertificateVerificationError wrapping
//     x509.UnknownAuthorityError
//   - hostname_mismatch: *tls.CertificateVerificationError wrapping
//     x509.HostnameError for the request's host
//   - client_cert_rejected: *net.OpError{Op: "remote error"} wrapping
//     tls.AlertError(42), bad_certificate
//   - connection_failed: *net.OpError{Op: "dial"} wrapping an
//     *os.SyscallError for ECONNREFUSED
//   - timeout: *net.OpError{Op: "read"} wrapping os.ErrDeadlineExceeded,
//     whose Timeout() is true
//   - http_status: no error, a 503 response (FailStatus picks the status)
//
// Any other reason returns an error wrapping ErrNotWireFailure.
func (t *Transport) FailNext(n int, reason destination.Reason) error {
	o, err := reasonOutcome(reason)
	if err != nil {
		return err
	}
	t.script.push(n, o)
	return nil
}
