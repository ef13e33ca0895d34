package keystore

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"slices"
)

// matchesKey reports whether the certificate holds the public half of key.
func matchesKey(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(key.Public())
}

// splitChain finds the certificate of key among certs and follows issuer links from it.
// It returns that chain (leaf first) and the certificates left over. When no certificate
// matches the key, the chain is certs in their order, so that KeyPair reports the mismatch.
// PKCS#12 and PEM files do not say which certificate is the leaf: go-pkcs12 assumes the first
// one is, which keytool files with trusted entries contradict.
func splitChain(key crypto.Signer, certs []*x509.Certificate) (chain, rest []*x509.Certificate) {
	i := slices.IndexFunc(certs, func(c *x509.Certificate) bool { return matchesKey(c, key) })
	if i < 0 {
		return certs, nil
	}
	rest = slices.Delete(slices.Clone(certs), i, i+1)
	chain = []*x509.Certificate{certs[i]}
	for cur := certs[i]; !isSelfSigned(cur); {
		j := slices.IndexFunc(rest, func(c *x509.Certificate) bool { return issued(c, cur) })
		if j < 0 {
			break
		}
		cur = rest[j]
		chain = append(chain, cur)
		rest = slices.Delete(rest, j, j+1)
	}
	return chain, rest
}

// issued reports whether parent signed child.
func issued(parent, child *x509.Certificate) bool {
	return bytes.Equal(parent.RawSubject, child.RawIssuer) && child.CheckSignatureFrom(parent) == nil
}

// isSelfSigned reports whether c is a root: issued by itself.
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}

// parseCertificates parses DER certificates, naming the one that fails.
func parseCertificates(ders [][]byte, what string) ([]*x509.Certificate, error) {
	certs := make([]*x509.Certificate, 0, len(ders))
	for i, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, corruptf("%s: certificate %d: %v", what, i+1, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}
