package check

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// handshake is what one TLS handshake showed, presenting our certificate.
// It is a real handshake, up to the server's verdict on our certificate,
// with no HTTP request after it.
type handshake struct {
	// state is the connection as it was when the server's certificate
	// arrived: version, cipher suite and the server's chain. nil when the
	// handshake failed before.
	state *tls.ConnectionState
	// request is the server's CertificateRequest; nil when it sent none.
	request *tls.CertificateRequestInfo
	// err is the handshake's error.
	err error
	// verdict is, after a TLS 1.3 handshake in which the server asked for
	// our certificate, what the first read returned: nil when it timed
	// out or data came (the server accepted us and waits for a request).
	verdict error
	// waited is how long the TLS 1.3 read waited at most.
	waited time.Duration
}

// refused reports whether the server refused our certificate, during the
// handshake (TLS 1.2) or right after it (TLS 1.3).
func (h *handshake) refused() bool {
	asked := h.request != nil
	return isRefusal(h.err, asked) || isRefusal(h.verdict, asked)
}

// shake does the handshake over conn. It verifies nothing itself
// (InsecureSkipVerify), so that it gets as far as the server lets it: the
// server-trust and hostname checks verify the chain it records, as the
// client would.
func (r *runner) shake(conn net.Conn) *handshake {
	h := &handshake{}
	var cert *tls.Certificate
	if r.keyPair != nil {
		c := r.keyPair.TLSCertificate()
		cert = &c
	}
	cfg := &tls.Config{
		MinVersion:         r.cfg.TLSMinVersion(),
		ServerName:         r.target.serverName,
		InsecureSkipVerify: true, //nolint:gosec // checkServerTrust and checkHostname verify the recorded chain
		VerifyConnection: func(cs tls.ConnectionState) error {
			h.state = &cs
			return nil
		},
		// Like the client, always offer our certificate, whatever CAs the
		// server names: its refusal is what this check is about.
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			req := *cri
			h.request = &req
			if cert == nil {
				return &tls.Certificate{}, nil
			}
			return cert, nil
		},
	}
	ctx, cancel := context.WithTimeout(r.ctx, handshakeTimeout)
	defer cancel()
	tc := tls.Client(conn, cfg)
	start := time.Now()
	h.err = tc.HandshakeContext(ctx)
	if h.err == nil && h.request != nil && tc.ConnectionState().Version == tls.VersionTLS13 {
		// A server slow to shake hands (far away, or checking
		// revocation) is given as much time again to judge us.
		h.waited = r.s.probeWait + time.Since(start)
		h.verdict = awaitVerdict(tc, h.waited)
	}
	return h
}

// awaitVerdict reads once, for at most wait: in TLS 1.3 the server checks
// our certificate after our side of the handshake is done, and a refusal
// comes as an alert or a closed connection. Silence means it accepted us.
func awaitVerdict(tc *tls.Conn, wait time.Duration) error {
	_ = tc.SetReadDeadline(time.Now().Add(wait))
	_, err := tc.Read(make([]byte, 1))
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return nil
	}
	return err
}
