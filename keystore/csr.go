package keystore

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
)

var (
	oidExtKeyUsage   = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidClientAuthEKU = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
)

// CreateCSR returns a PEM certificate signing request ("CERTIFICATE REQUEST") for key and
// subject: what keytool -certreq writes, for the partner's CA to sign. It asks for a client
// authentication certificate (extended key usage clientAuth); the CA decides what it issues.
func CreateCSR(key crypto.Signer, subject pkix.Name) ([]byte, error) {
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidClientAuthEKU})
	if err != nil {
		return nil, fmt.Errorf("keystore: certificate request: %w", err)
	}
	tmpl := &x509.CertificateRequest{
		Subject:         subject,
		ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Value: eku}},
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, fmt.Errorf("keystore: %w: certificate request: %v", ErrUnsupportedFormat, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}
