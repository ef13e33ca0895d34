package check

import (
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/mtlscourier/courier/destination"
)

// isRefusal reports whether err is the server refusing our certificate.
func isRefusal(err error, asked bool) bool {
	return err != nil && destination.IsClientCertRefusal(err, asked)
}

// checkCertificateRequest reports the CAs the server accepts for client
// certificates, and whether one of them issued our chain.
func (r *runner) checkCertificateRequest() Result {
	req := r.handshake.request
	if req == nil {
		return warn("the server did not ask for a client certificate: it does not use mutual TLS on this port",
			"fix: if the partner expects our certificate, ask them whether this is the right host and port")
	}
	if len(req.AcceptableCAs) == 0 {
		return pass("the server asks for a client certificate and names no CAs: any it trusts may do")
	}
	lines := make([]string, 0, len(req.AcceptableCAs))
	for _, der := range req.AcceptableCAs {
		lines = append(lines, "accepts '"+decodeName(der)+"'")
	}
	what := fmt.Sprintf("the server accepts client certificates from %s", plural(len(req.AcceptableCAs), "CA"))
	if r.keyPair == nil {
		return pass(what, lines...)
	}
	if ca := r.acceptedIssuer(); ca != "" {
		return pass(fmt.Sprintf("%s, ours among them ('%s')", what, ca), lines...)
	}
	lines = append(lines, "our chain: "+r.chainSummary())
	if r.missing != nil {
		lines = append(lines, fmt.Sprintf("our chain lacks the intermediate '%s' (see the chain check): with it, it may reach one of them", dn(r.missing.Issuer)))
	}
	return warn(what+", and none of them issued our chain: the server will likely refuse our certificate",
		append(lines, "fix: ask the partner to trust our CA, or for a certificate issued by one of theirs")...)
}

// acceptedIssuer returns the name of a CA that the server accepts and that
// our chain holds or leads to; "" when there is none.
func (r *runner) acceptedIssuer() string {
	accepted := map[string]bool{}
	for _, der := range r.handshake.request.AcceptableCAs {
		accepted[string(der)] = true
	}
	for _, c := range r.keyPair.Chain {
		switch {
		case accepted[string(c.RawIssuer)]:
			return dn(c.Issuer)
		case accepted[string(c.RawSubject)]:
			return dn(c.Subject)
		}
	}
	return ""
}

// chainSummary writes our chain on one line: leaf ← issuer ← ...
func (r *runner) chainSummary() string {
	chain := r.keyPair.Chain
	parts := make([]string, 0, len(chain)+1)
	for _, c := range chain {
		parts = append(parts, quoted(c))
	}
	if top := chain[len(chain)-1]; !selfSigned(top) {
		parts = append(parts, "issued by '"+dn(top.Issuer)+"'")
	}
	return strings.Join(parts, " ← ")
}

// checkClientAuth reports the server's verdict on our certificate, from the
// handshake (TLS 1.2) or the moment after it (TLS 1.3).
func (r *runner) checkClientAuth() Result {
	h := r.handshake
	if h.request == nil {
		return pass("the server did not ask for our certificate, and accepted the connection")
	}
	if h.verdict != nil && !isRefusal(h.verdict, true) {
		return warn("cannot tell whether the server accepts our certificate: after the handshake it said "+h.verdict.Error(),
			"fix: try courier send; if it fails with client_cert_rejected, see the certificate-request check")
	}
	if !h.refused() {
		if r.keyPair == nil {
			return warn("the server asked for a client certificate but accepted the connection without one",
				"fix: if the partner expects our certificate, set keystoreFile")
		}
		how := "the handshake completed"
		if h.state.Version == tls.VersionTLS13 {
			how = fmt.Sprintf("no refusal came within %s of the TLS 1.3 handshake", roundDuration(h.waited))
		}
		return pass(fmt.Sprintf("the server accepted our certificate %s", quoted(r.keyPair.Leaf())), how)
	}
	said := r.serverSaid()
	if r.keyPair == nil {
		return fail(destination.ReasonClientCertRejected, "the server requires a client certificate, and the destination has none",
			said, "fix: set keystoreFile and keystorePass (or certFile and keyFile) to our key pair")
	}
	lines := append([]string{said}, r.likelyCauses()...)
	return fail(destination.ReasonClientCertRejected, fmt.Sprintf("the server refused our certificate %s", quoted(r.keyPair.Leaf())),
		append(lines, "fix: "+destination.ReasonClientCertRejected.Advice())...)
}

// serverSaid describes how the server refused us.
func (r *runner) serverSaid() string {
	err := r.handshake.err
	if err == nil {
		err = r.handshake.verdict
	}
	if code, ok := destination.RemoteAlert(err); ok {
		return fmt.Sprintf("the server sent the TLS alert %d (%s)", code, strings.TrimPrefix(tls.AlertError(code).Error(), "tls: "))
	}
	return "the server closed the connection right after our certificate, without a TLS alert (" + err.Error() + ")"
}

// likelyCauses names what our side shows that makes a server refuse us,
// most likely first.
func (r *runner) likelyCauses() []string {
	var causes []string
	if r.missing != nil {
		causes = append(causes, fmt.Sprintf("likely cause: the intermediate '%s' that issued %s is missing from our chain (see the chain check): import it onto the key entry",
			dn(r.missing.Issuer), quoted(r.missing)))
	}
	if res := r.done[Validity]; res.Status == Fail {
		causes = append(causes, "likely cause: "+res.Message)
	}
	if res := r.done[KeyUsage]; res.Status == Fail {
		causes = append(causes, "likely cause: "+res.Message)
	}
	if res := r.done[CertificateRequest]; res.Status == Warn && r.missing == nil {
		causes = append(causes, "likely cause: the server does not accept our CA; our chain: "+r.chainSummary())
	}
	if res := r.done[CertificateRequest]; len(causes) == 0 && res.Status == Pass && r.acceptedIssuer() != "" {
		causes = append(causes, fmt.Sprintf("the server names our CA '%s' yet refused us: it may hold another certificate under that name (a renewed CA?), or check our certificate against a list; our chain: %s",
			r.acceptedIssuer(), r.chainSummary()))
	}
	if len(causes) == 0 {
		causes = append(causes, "our chain: "+r.chainSummary()+"; the partner may not have registered our certificate or our CA: send them our chain")
	}
	return causes
}
