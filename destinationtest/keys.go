package destinationtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"math/big"
)

// KeyAlgorithm is the kind of key a certificate is issued for.
type KeyAlgorithm int

// The key algorithms IssueClient can use (see KeyType).
const (
	KeyECDSA   KeyAlgorithm = iota // ECDSA on P-256, the default: fast to generate
	KeyRSA                         // RSA 2048, what most Java keystores hold; slow to generate
	KeyEd25519                     // Ed25519, which Java reads since version 15
)

// String returns the algorithm's name as Java writes it.
func (k KeyAlgorithm) String() string {
	switch k {
	case KeyECDSA:
		return "EC"
	case KeyRSA:
		return "RSA"
	case KeyEd25519:
		return "Ed25519"
	}
	return fmt.Sprintf("KeyAlgorithm(%d)", int(k))
}

// newKey generates a key of the given kind.
func newKey(k KeyAlgorithm) (crypto.Signer, error) {
	var (
		key crypto.Signer
		err error
	)
	switch k {
	case KeyECDSA:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyRSA:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case KeyEd25519:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("destinationtest: unknown key algorithm %v: use KeyECDSA, KeyRSA or KeyEd25519", k)
	}
	if err != nil {
		return nil, fmt.Errorf("destinationtest: generate %v key: %w", k, err)
	}
	return key, nil
}

// sign issues template for pub, signed by parent's key (self-signed when
// parent is nil), with a random serial number as CAs do.
func sign(template, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("destinationtest: generate serial number: %w", err)
	}
	template.SerialNumber = serial
	if parent == nil {
		parent = template
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, pub, parentKey)
	if err != nil {
		return nil, fmt.Errorf("destinationtest: issue %q: %w", template.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("destinationtest: parse %q: %w", template.Subject.CommonName, err)
	}
	return cert, nil
}
