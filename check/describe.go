package check

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"
)

// quoted names a certificate by its subject, as keytool prints it: 'CN=x, O=y'.
func quoted(c *x509.Certificate) string { return "'" + dn(c.Subject) + "'" }

// dn writes a name the way people read it in keytool and browsers, most
// specific part first.
func dn(n pkix.Name) string { return strings.ReplaceAll(n.String(), ",", ", ") }

// fingerprint returns the SHA-256 fingerprint of c as keytool -list prints it:
// colon-separated upper-case hex.
func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	var b strings.Builder
	for i, x := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", x)
	}
	return b.String()
}

// day formats a date for messages.
func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// certLines describes a certificate on two lines: subject, then issuer,
// validity and fingerprint.
func certLines(c *x509.Certificate) []string {
	return []string{
		quoted(c),
		fmt.Sprintf("  issued by '%s', valid %s to %s, sha256 %s", dn(c.Issuer), day(c.NotBefore), day(c.NotAfter), fingerprint(c)),
	}
}

// chainLines describes every certificate of a chain.
func chainLines(chain []*x509.Certificate) []string {
	var lines []string
	for _, c := range chain {
		lines = append(lines, certLines(c)...)
	}
	return lines
}

// keyDescription says what kind of key a certificate holds: "EC P-256", "RSA 2048".
func keyDescription(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return c.PublicKeyAlgorithm.String()
}

// selfSigned reports whether c is issued by itself. It checks the signature
// only: keytool's default self-signed certificate has no basicConstraints,
// which CheckSignatureFrom would demand.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// issued reports whether parent signed child.
func issued(parent, child *x509.Certificate) bool {
	return bytes.Equal(parent.RawSubject, child.RawIssuer) && child.CheckSignatureFrom(parent) == nil
}

// decodeName reads a distinguished name from its DER form, as a
// CertificateRequest lists the CAs a server accepts.
func decodeName(der []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) > 0 {
		return fmt.Sprintf("(a name that does not decode: %d bytes)", len(der))
	}
	var n pkix.Name
	n.FillFromRDNSequence(&seq)
	return dn(n)
}

// timeLeft says how long from now until t, in days, or hours when that is
// less than two days: "in 12 days", "in 5 hours".
func timeLeft(now, t time.Time) string {
	d := t.Sub(now)
	if d < 48*time.Hour {
		return fmt.Sprintf("in %d hours", int(d/time.Hour))
	}
	return fmt.Sprintf("in %d days", int(d/(24*time.Hour)))
}
