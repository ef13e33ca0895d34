package check

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/mtlscourier/courier/destination"
)

// checkTLS does the handshake and reports what the server said: version,
// cipher suite and its chain.
func (r *runner) checkTLS() Result {
	if r.target.plain {
		return skip("the url is plain http: there is no TLS")
	}
	h := r.shake(r.conn)
	r.handshake = h
	if h.state == nil {
		return handshakeFailure(h.err, r.target)
	}
	cs := h.state
	msg := fmt.Sprintf("%s with %s; the server sent %s", tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite),
		plural(len(cs.PeerCertificates), "certificate"))
	lines := chainLines(cs.PeerCertificates)
	if h.err != nil && !isRefusal(h.err, h.request != nil) {
		// Not about our certificate, which the client-auth check judges.
		return fail(destination.ClassifyError(h.err), "the handshake failed after the server's certificate: "+h.err.Error(),
			append(lines, "fix: "+destination.ClassifyError(h.err).Advice())...)
	}
	return pass(msg, lines...)
}

// handshakeFailure explains a handshake that failed before the server's
// certificate.
func handshakeFailure(err error, t target) Result {
	reason := destination.ClassifyError(err)
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return fail(reason, fmt.Sprintf("%s does not speak TLS", t.hostPort()), err.Error(),
			"fix: check the port in url: it may be a plain http:// port")
	}
	if ae, ok := destination.RemoteAlert(err); ok && (ae == 70 || ae == 40) { // protocol_version, handshake_failure
		return fail(reason, "the server and courier have no TLS version or cipher suite in common", err.Error(),
			"fix: courier speaks TLS 1.2 and 1.3 (minTLSVersion raises the floor); the partner's server must offer one of them")
	}
	return fail(reason, "the TLS handshake failed: "+err.Error(), "fix: "+reason.Advice())
}

// checkServerTrust verifies the server's chain against our truststore (or
// the system's roots), as the client does, and says what to import when
// it fails.
func (r *runner) checkServerTrust() Result {
	chain := r.handshake.state.PeerCertificates
	if r.cfg.InsecureSkipVerify {
		return warn("not checked: insecureSkipVerify is true, so any server is accepted",
			"fix: import the partner's CA into a truststore, set truststoreFile and remove insecureSkipVerify")
	}
	opts := x509.VerifyOptions{
		Intermediates: x509.NewCertPool(),
		CurrentTime:   r.s.now(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if r.trusted != nil {
		opts.Roots = x509.NewCertPool()
		for _, c := range r.trusted {
			opts.Roots.AddCert(c)
		}
	}
	for _, c := range chain[1:] {
		opts.Intermediates.AddCert(c)
	}
	verified, err := chain[0].Verify(opts)
	if err != nil {
		return r.untrusted(chain, err)
	}
	root := verified[0][len(verified[0])-1]
	from := "the system's roots"
	if r.trusted != nil {
		from = "our truststore"
	}
	leaf := chain[0]
	if left := leaf.NotAfter.Sub(opts.CurrentTime); left < ExpiryWarning {
		return warn(fmt.Sprintf("%s verifies the server, but its certificate %s expires %s, on %s",
			from, quoted(leaf), timeLeft(opts.CurrentTime, leaf.NotAfter), day(leaf.NotAfter)),
			"fix: remind the partner to renew it, and to send the new chain if its CA changes")
	}
	return pass(fmt.Sprintf("%s verifies the server's chain up to %s", from, quoted(root)))
}

// untrusted explains why the server's chain does not verify, and which
// certificate to import.
func (r *runner) untrusted(chain []*x509.Certificate, err error) Result {
	reason := destination.ClassifyError(&tls.CertificateVerificationError{UnverifiedCertificates: chain, Err: err})
	if ce, ok := errors.AsType[x509.CertificateInvalidError](err); ok && ce.Reason == x509.Expired {
		return fail(reason, fmt.Sprintf("the server's certificate %s is outside its validity dates", quoted(ce.Cert)), err.Error(),
			"fix: the partner must renew it; or check this machine's clock")
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); !ok {
		return fail(reason, "the server's chain does not verify: "+err.Error(), "fix: "+reason.Advice())
	}
	top := chain[len(chain)-1]
	var msg, which string
	switch {
	case len(chain) == 1 && selfSigned(top):
		msg = fmt.Sprintf("the server's certificate %s is self-signed, and we do not trust it", quoted(top))
		which = "the server's certificate"
	case selfSigned(top):
		msg = fmt.Sprintf("the server's chain ends at the root %s, an unknown CA: our truststore does not hold it", quoted(top))
		which = "the root"
	default:
		msg = fmt.Sprintf("the server's chain ends at %s, issued by '%s', which the server did not send and our truststore does not hold",
			quoted(top), dn(top.Issuer))
		which = fmt.Sprintf("the CA '%s' (ask the partner for it, or for its root), or else", dn(top.Issuer))
	}
	lines := []string{r.trustedSummary()}
	lines = append(lines, r.importFix(which, top))
	return fail(reason, msg, lines...)
}

// trustedSummary says what we trust, for an untrusted server.
func (r *runner) trustedSummary() string {
	if r.trusted == nil {
		return "we trust the system's root CAs (no truststoreFile)"
	}
	if len(r.trusted) == 0 {
		return "our truststore holds no certificates"
	}
	names := make([]string, 0, len(r.trusted))
	for _, c := range r.trusted {
		names = append(names, quoted(c))
	}
	return "our truststore holds " + strings.Join(names, ", ")
}

// importFix says how to trust the server: import cert into the truststore.
func (r *runner) importFix(which string, cert *x509.Certificate) string {
	to, then := r.cfg.Path(r.cfg.TruststoreFile), ""
	if to == "" {
		to, then = "truststore.jks", ", then set truststoreFile and truststorePass"
	}
	return fmt.Sprintf("fix: import %s %s (sha256 %s) with: courier keystore trust --url %s --to %s%s",
		which, quoted(cert), fingerprint(cert), r.target.origin, to, then)
}

// checkHostname checks that the server's certificate names the host we
// asked for (or serverName), as the client does.
func (r *runner) checkHostname() Result {
	leaf := r.handshake.state.PeerCertificates[0]
	name := r.target.serverName
	if r.cfg.InsecureSkipVerify {
		return warn("not checked: insecureSkipVerify is true")
	}
	err := leaf.VerifyHostname(name)
	if err == nil {
		return pass(fmt.Sprintf("the server's certificate is valid for %s", name))
	}
	from := "the url's host"
	if r.cfg.ServerName != "" {
		from = "serverName"
	}
	return fail(destination.ClassifyError(err), fmt.Sprintf("the server's certificate is not valid for %s (%s)", name, from),
		"it is valid for: "+certNames(leaf),
		"fix: use one of those names in url, or set serverName to one of them; or ask the partner for a certificate that names "+name)
}

// certNames lists the names a server certificate is valid for.
func certNames(c *x509.Certificate) string {
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return "no names (no subjectAltName; the common name '" + c.Subject.CommonName + "' does not count)"
	}
	return strings.Join(names, ", ")
}
