package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// serverAddress turns --url (https://host:port, or host:port) into a dial address and the
// host name to send as SNI.
func serverAddress(raw string) (addr, host string, err error) {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("--url: %w", err)
	}
	if u.Scheme != "https" || u.Hostname() == "" {
		return "", "", fmt.Errorf("--url %q: want https://host[:port]", u.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port), u.Hostname(), nil
}

// fetchChain makes a TLS handshake with the server only to read the certificates it presents,
// leaf first. It verifies none of them, which is why it sends nothing else: no client
// certificate is offered, and no request follows. The operator compares the fingerprints and
// decides. A server that then refuses the handshake (it wanted a client certificate) has sent
// its chain all the same.
func fetchChain(ctx context.Context, addr, host string, timeout time.Duration) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	cfg := &tls.Config{
		ServerName: host,
		// Only to read the certificates: nothing is sent over this connection, and they are
		// shown to the operator instead of trusted.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			chain = cs.PeerCertificates
			return nil
		},
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := &tls.Dialer{Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		conn.Close()
	}
	if len(chain) == 0 {
		if err == nil {
			err = fmt.Errorf("the server presented no certificate")
		}
		return nil, &networkError{err: fmt.Errorf("fetch the certificates of %s: %w", addr, err)}
	}
	return chain, nil
}
