package destinationtest

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// simulatedHost is the only name the simulated peer's certificate is valid for.
const simulatedHost = "courier-simulated.invalid"

// alertBadCertificate is the TLS alert a server sends when it rejects the
// client's certificate (RFC 8446 section 6.2).
const alertBadCertificate tls.AlertError = 42

// RemoteAlertError returns the error crypto/tls returns when the peer sends
// alert: a *net.OpError with Op "remote error". crypto/tls uses its own
// unexported alert type; tls.AlertError has the same number and text.
//
// Servers refuse a client certificate with different alerts: Go sends
// handshake_failure (40) in TLS 1.2 or certificate_required (116) in TLS
// 1.3 when there is none, unknown_ca (48) for one from another CA,
// certificate_expired (45), or bad_certificate (42); Java sends
// bad_certificate or certificate_unknown (46). Transport.FailNext uses 42;
// give Transport.FailNextError another to test the rest. handshake_failure
// (40) can also mean "no cipher suite in common": courier tells the two
// apart only on a real connection (it probes whether the server had asked
// for a certificate), so through a Transport it stays connection_failed.
func RemoteAlertError(alert tls.AlertError) error {
	return &net.OpError{Op: "remote error", Err: alert}
}

// reasonOutcome is the scripted failure for reason.
func reasonOutcome(reason destination.Reason) (outcome, error) {
	switch reason {
	case destination.ReasonServerUntrusted, destination.ReasonHostnameMismatch,
		destination.ReasonClientCertRejected, destination.ReasonConnectionFailed,
		destination.ReasonTimeout:
		return outcome{reason: reason}, nil
	case destination.ReasonHTTPStatus:
		return outcome{status: http.StatusServiceUnavailable}, nil
	}
	return outcome{}, fmt.Errorf("%w: reason %q: courier detects it before sending; make it with the files instead (a wrong password, ValidBetween)",
		ErrNotWireFailure, reason)
}

// wireError builds o's error for req, as crypto/tls and net would.
func (t *Transport) wireError(o outcome, req *http.Request) error {
	if o.err != nil {
		return o.err
	}
	switch o.reason {
	case destination.ReasonServerUntrusted:
		cert, err := t.peerCert()
		if err != nil {
			return err
		}
		return &tls.CertificateVerificationError{
			UnverifiedCertificates: []*x509.Certificate{cert},
			Err:                    x509.UnknownAuthorityError{Cert: cert},
		}
	case destination.ReasonHostnameMismatch:
		cert, err := t.peerCert()
		if err != nil {
			return err
		}
		return &tls.CertificateVerificationError{
			UnverifiedCertificates: []*x509.Certificate{cert},
			Err:                    x509.HostnameError{Certificate: cert, Host: req.URL.Hostname()},
		}
	case destination.ReasonClientCertRejected:
		return RemoteAlertError(alertBadCertificate)
	case destination.ReasonConnectionFailed:
		return &net.OpError{Op: "dial", Net: "tcp", Addr: remoteAddr(req),
			Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	case destination.ReasonTimeout:
		return &net.OpError{Op: "read", Net: "tcp", Addr: remoteAddr(req), Err: os.ErrDeadlineExceeded}
	}
	return fmt.Errorf("destinationtest: no simulated error for reason %q", o.reason)
}

// peerCert returns the simulated server's self-signed certificate, made on
// first use so transports that never fail cost nothing.
func (t *Transport) peerCert() (*x509.Certificate, error) {
	t.certOnce.Do(func() {
		key, err := newKey(KeyECDSA)
		if err != nil {
			t.certErr = err
			return
		}
		now := time.Now()
		tmpl := &x509.Certificate{
			Subject:     pkix.Name{CommonName: simulatedHost, Organization: []string{"courier simulated peer"}},
			DNSNames:    []string{simulatedHost},
			NotBefore:   now.Add(-time.Hour),
			NotAfter:    now.Add(leafValidity),
			KeyUsage:    x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		t.cert, t.certErr = sign(tmpl, nil, key.Public(), key)
	})
	return t.cert, t.certErr
}

// remoteAddr is the address a dial to req would use: a *net.TCPAddr for an
// IP host, or the unresolved host:port.
func remoteAddr(req *http.Request) net.Addr {
	host, port := req.URL.Hostname(), req.URL.Port()
	if port == "" {
		port = "443"
		if req.URL.Scheme == "http" {
			port = "80"
		}
	}
	if ip := net.ParseIP(host); ip != nil {
		p, _ := strconv.Atoi(port)
		return &net.TCPAddr{IP: ip, Port: p}
	}
	return hostAddr(net.JoinHostPort(host, port))
}

// hostAddr is an unresolved TCP address.
type hostAddr string

func (a hostAddr) Network() string { return "tcp" }
func (a hostAddr) String() string  { return string(a) }
