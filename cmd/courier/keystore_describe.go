package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// certSummary is what an operator needs to know of a certificate: who, by whom, how long,
// its fingerprint to compare with the partner's, and its key. The field names are part of
// the CLI's --json interface.
type certSummary struct {
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	Serial       string    `json:"serial"`
	NotBefore    time.Time `json:"notBefore"`
	NotAfter     time.Time `json:"notAfter"`
	SHA256       string    `json:"sha256"`
	KeyAlgorithm string    `json:"keyAlgorithm"`
	KeySize      int       `json:"keySize"`
}

func summarize(c *x509.Certificate) certSummary {
	alg, size := keyAlgorithm(c.PublicKey)
	return certSummary{
		Subject:      c.Subject.String(),
		Issuer:       c.Issuer.String(),
		Serial:       fmt.Sprintf("%x", c.SerialNumber),
		NotBefore:    c.NotBefore.UTC(),
		NotAfter:     c.NotAfter.UTC(),
		SHA256:       fingerprintSHA256(c),
		KeyAlgorithm: alg,
		KeySize:      size,
	}
}

// fingerprintSHA256 is the certificate's SHA-256 as keytool and browsers print it.
func fingerprintSHA256(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(hex, ":")
}

// keyAlgorithm names a public key's algorithm and size in bits as keytool does
// ("256-bit EC (secp256r1) key" is EC, 256).
func keyAlgorithm(pub any) (string, int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "EC", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 255
	}
	return fmt.Sprintf("%T", pub), 0
}

// keyText is keyAlgorithm for people: "RSA 2048", "EC P-256".
func keyText(pub any) string {
	alg, size := keyAlgorithm(pub)
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		return alg + " " + k.Curve.Params().Name
	}
	if size == 0 || alg == "Ed25519" {
		return alg
	}
	return fmt.Sprintf("%s %d", alg, size)
}

const timeLayout = "2006-01-02 15:04:05 MST"

// validity says when a certificate is valid, and how that compares with now.
func validity(c *x509.Certificate, now time.Time) string {
	span := fmt.Sprintf("%s to %s", c.NotBefore.UTC().Format(timeLayout), c.NotAfter.UTC().Format(timeLayout))
	switch {
	case now.Before(c.NotBefore):
		return span + " (NOT YET VALID)"
	case now.After(c.NotAfter):
		return span + fmt.Sprintf(" (EXPIRED %s ago)", days(now.Sub(c.NotAfter)))
	}
	return span + fmt.Sprintf(" (%s left)", days(c.NotAfter.Sub(now)))
}

func days(d time.Duration) string {
	n := int(math.Round(d.Hours() / 24))
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// printCert writes a certificate's summary, one field a line, each line after indent.
func printCert(w io.Writer, indent string, c *x509.Certificate, now time.Time) {
	fmt.Fprintf(w, "%sSubject:  %s\n", indent, c.Subject)
	fmt.Fprintf(w, "%sIssuer:   %s\n", indent, c.Issuer)
	fmt.Fprintf(w, "%sValid:    %s\n", indent, validity(c, now))
	fmt.Fprintf(w, "%sSHA-256:  %s\n", indent, fingerprintSHA256(c))
	fmt.Fprintf(w, "%sKey:      %s\n", indent, keyText(c.PublicKey))
}
