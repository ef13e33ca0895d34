package destination

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// errClientCertRejected marks a dropped connection that a probe showed to be
// the server refusing our certificate.
var errClientCertRejected = errors.New("a probe on a fresh connection showed the server refusing our client certificate")

// probeWait bounds how long a probe waits for a TLS 1.3 server's verdict on
// our certificate. A server that accepts us sends nothing (it waits for a
// request), so the wait is only spent when the connection was healthy.
const probeWait = time.Second

// probingTransport owns the network transport. In TLS 1.3 the server checks
// our certificate after the client has finished its handshake, so a refusal
// arrives as an alert on the first read — or, while a request body is still
// being written, as a reset or broken pipe that hides the alert. When a
// request fails that way, probingTransport opens one fresh connection, does
// the handshake, writes nothing and reads: if the server sends a
// certificate alert, the failure is client_cert_rejected, not a network
// blip to retry.
//
// It deliberately has no CloseIdleConnections method: go-retryablehttp
// closes idle connections for every host after a failed request, and
// connection reuse is ours to manage (Client.Close).
type probingTransport struct {
	base      *http.Transport
	tlsConfig *tls.Config
}

func (t *probingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	// Any failure that would count as a network problem gets a probe: the
	// refusal hides behind a reset, a broken pipe, an EOF, a
	// handshake_failure alert, or net/http's "server closed idle
	// connection" (an unexported error) when the close came before our
	// request was written. A refused dial fails the probe's dial at once.
	if err == nil || req.URL.Scheme != "https" || classify(err) != ReasonConnectionFailed {
		return resp, err
	}
	if alert := t.probe(req.Context(), req.URL); alert != nil {
		return nil, fmt.Errorf("%w: %w (the request itself failed with: %v)", errClientCertRejected, alert, err)
	}
	return nil, err
}

// probe returns the server's verdict on our certificate from a fresh
// connection: the alert it sends, or — for servers that close without one
// (the JDK's HttpsServer does) — the close itself, when the server had asked
// for our certificate. It returns nil when the server seems content or the
// probe cannot tell.
func (t *probingTransport) probe(ctx context.Context, u *url.URL) error {
	ctx, cancel := context.WithTimeout(ctx, probeWait+10*time.Second)
	defer cancel()
	cfg := t.tlsConfig.Clone()
	cfg.ClientSessionCache = nil // a full handshake, so the server sees our certificate
	if cfg.ServerName == "" {
		cfg.ServerName = u.Hostname()
	}
	asked := false
	ours := cfg.GetClientCertificate
	cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		asked = true
		if ours == nil {
			return &tls.Certificate{}, nil
		}
		return ours(cri)
	}
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", hostPort(u))
	if err != nil {
		return nil
	}
	defer raw.Close()
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		return refusal(err, asked)
	}
	if conn.ConnectionState().Version != tls.VersionTLS13 {
		return nil // before 1.3 a refusal fails the handshake itself
	}
	deadline := time.Now().Add(probeWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetReadDeadline(deadline)
	_, err = conn.Read(make([]byte, 1))
	return refusal(err, asked)
}

// refusal returns err when it is the server refusing our certificate: a
// certificate alert, or the connection dropped right after the server asked
// for our certificate.
func refusal(err error, asked bool) error {
	if code, ok := remoteAlert(err); ok && clientCertAlerts[code] {
		return err
	}
	if asked && err != nil && isHandshakeFailureAlert(err) {
		// Go servers answer a missing certificate in TLS 1.2 this way.
		return fmt.Errorf("the server asked for our certificate, then failed the handshake: %w", err)
	}
	if asked && err != nil && isDroppedConnection(err) {
		return fmt.Errorf("the server asked for our certificate, then closed the connection without a word: %w", err)
	}
	return nil
}

// isHandshakeFailureAlert reports a handshake_failure alert: a refused
// certificate, or no cipher suite in common — only a probe tells which.
func isHandshakeFailureAlert(err error) bool {
	code, ok := remoteAlert(err)
	return ok && code == 40
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "443")
}
