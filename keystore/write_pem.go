package keystore

import (
	"crypto/x509"
	"encoding/pem"
)

// EncodePEM returns certificates as PEM "CERTIFICATE" blocks, in order: what keytool
// -exportcert -rfc writes, one after the other.
func EncodePEM(certs []*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}
