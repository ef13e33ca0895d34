package keystore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// KeyAlgorithm is the kind of private key GenerateKey makes.
type KeyAlgorithm string

// The key algorithms GenerateKey makes, with keytool's -keyalg names in lower case.
const (
	// KeyEC is ECDSA on P-256 (or P-384): small, fast, and what TLS 1.3 servers prefer.
	KeyEC KeyAlgorithm = "ec"
	// KeyRSA is RSA of 2048, 3072 or 4096 bits: for partners whose servers take nothing else.
	KeyRSA KeyAlgorithm = "rsa"
)

// DefaultKeySize returns the size GenerateKey uses for size 0: 256 for EC, 2048 for RSA.
func (a KeyAlgorithm) DefaultKeySize() int {
	if a == KeyRSA {
		return 2048
	}
	return 256
}

// GenerateKey makes a new private key: EC with size 256 (P-256, the default) or 384 (P-384),
// RSA with size 2048 (the default), 3072 or 4096. Size 0 means the default.
func GenerateKey(alg KeyAlgorithm, size int) (crypto.Signer, error) {
	if size == 0 {
		size = alg.DefaultKeySize()
	}
	switch {
	case alg == KeyEC && size == 256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case alg == KeyEC && size == 384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case alg == KeyEC:
		return nil, fmt.Errorf("keystore: %w: EC key size %d: use 256 (P-256) or 384 (P-384)", ErrUnsupportedFormat, size)
	case alg == KeyRSA && (size == 2048 || size == 3072 || size == 4096):
		return rsa.GenerateKey(rand.Reader, size)
	case alg == KeyRSA:
		return nil, fmt.Errorf("keystore: %w: RSA key size %d: use 2048, 3072 or 4096", ErrUnsupportedFormat, size)
	}
	return nil, fmt.Errorf("keystore: %w: key algorithm %q: use ec or rsa", ErrUnsupportedFormat, alg)
}

// SelfSigned makes a self-signed client certificate for key, valid from notBefore to notAfter,
// and returns it as a key pair: what keytool -genkeypair makes, for a partner who trusts the
// certificate itself. It can sign TLS client authentication only (extended key usage
// clientAuth; key usage digitalSignature, and keyEncipherment for RSA keys).
func SelfSigned(key crypto.Signer, subject pkix.Name, notBefore, notAfter time.Time) (*KeyPair, error) {
	if !notAfter.After(notBefore) {
		return nil, fmt.Errorf("keystore: the certificate must end after it starts (%s to %s)",
			notBefore.UTC().Format(time.RFC3339), notAfter.UTC().Format(time.RFC3339))
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("keystore: serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial.Add(serial, big.NewInt(1)), // positive, never zero
		Subject:               subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              clientKeyUsage(key),
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("keystore: %w: self-signed certificate: %v", ErrUnsupportedFormat, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("keystore: self-signed certificate: %w", err)
	}
	return &KeyPair{Chain: []*x509.Certificate{cert}, PrivateKey: key}, nil
}

// clientKeyUsage is what a TLS client's key does: sign, and with RSA also encipher, as RSA key
// exchange needs and certificate profiles expect.
func clientKeyUsage(key crypto.Signer) x509.KeyUsage {
	if _, ok := key.(*rsa.PrivateKey); ok {
		return x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	return x509.KeyUsageDigitalSignature
}
