package destination

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"
)

// classify names the reason of a transport error from what crypto/tls, net
// and net/http return. It looks at error values, never at URLs or payloads.
func classify(err error) Reason {
	switch {
	case err == nil:
		return ReasonOK
	case errors.Is(err, errClientCertRejected):
		return ReasonClientCertRejected
	case isHostnameError(err):
		return ReasonHostnameMismatch
	case isVerificationError(err):
		return ReasonServerUntrusted
	}
	if code, ok := remoteAlert(err); ok {
		if clientCertAlerts[code] {
			return ReasonClientCertRejected
		}
		return ReasonConnectionFailed
	}
	if isTimeout(err) {
		return ReasonTimeout
	}
	return ReasonConnectionFailed
}

func isHostnameError(err error) bool {
	_, ok := errors.AsType[x509.HostnameError](err)
	if !ok {
		_, ok = errors.AsType[*x509.HostnameError](err)
	}
	return ok
}

func isVerificationError(err error) bool {
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		return true
	}
	return false
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// TLS alert codes that a server sends when it refuses the client's
// certificate: bad_certificate, unsupported_certificate, certificate_revoked,
// certificate_expired, certificate_unknown, unknown_ca, access_denied and
// certificate_required (TLS 1.3). Java sends certificate_unknown for an
// untrusted chain; Go sends bad_certificate; both send certificate_required
// in TLS 1.3 when no certificate came.
var clientCertAlerts = map[uint8]bool{42: true, 43: true, 44: true, 45: true, 46: true, 48: true, 49: true, 116: true}

// alertCodes maps an alert's text ("tls: bad certificate") to its code:
// crypto/tls reports a received alert as a net.OpError{Op: "remote error"}
// around an unexported type, whose text is all there is to read.
var alertCodes = func() map[string]uint8 {
	m := make(map[string]uint8)
	for i := 0; i < 256; i++ {
		m[tls.AlertError(uint8(i)).Error()] = uint8(i)
	}
	return m
}()

// remoteAlert returns the code of a TLS alert the peer sent.
func remoteAlert(err error) (code uint8, found bool) {
	if ae, ok := errors.AsType[tls.AlertError](err); ok {
		return uint8(ae), true
	}
	walkErrors(err, func(e error) bool {
		if op, ok := e.(*net.OpError); ok && op.Op == "remote error" && op.Err != nil {
			code, found = alertCodes[op.Err.Error()]
			return true
		}
		return false
	})
	return code, found
}

// walkErrors visits err's tree depth first until visit returns true.
func walkErrors(err error, visit func(error) bool) bool {
	if err == nil {
		return false
	}
	if visit(err) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return walkErrors(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if walkErrors(e, visit) {
				return true
			}
		}
	}
	return false
}

// isDroppedConnection reports whether err is the connection going away under
// us: what a TLS 1.3 server's refusal of our certificate turns into when a
// request body was still being written (reset, broken pipe, EOF).
func isDroppedConnection(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}
