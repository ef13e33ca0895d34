package keystore

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// parsePKCS8 parses a DER PKCS#8 key into a signer (RSA, ECDSA or Ed25519).
func parsePKCS8(der []byte) (crypto.Signer, error) {
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, corruptf("private key: %v", err)
	}
	return asSigner(key)
}

// asSigner keeps the keys TLS can sign with (X25519 and friends cannot).
func asSigner(key any) (crypto.Signer, error) {
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: a %T cannot sign; use an RSA, ECDSA or Ed25519 key", ErrUnsupportedFormat, key)
	}
	return s, nil
}

// parsePEMKey parses a PEM private key block: PKCS#8, PKCS#1 or SEC1. Encrypted keys are refused
// with the command that decrypts them.
func parsePEMKey(b *pem.Block) (crypto.Signer, error) {
	if b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] != "" {
		return nil, fmt.Errorf("%w: the PEM private key is encrypted; decrypt it with: "+
			"openssl pkcs8 -in KEY -out KEY.dec (or give the key as a PKCS#12 keystore)", ErrUnsupportedFormat)
	}
	switch b.Type {
	case "PRIVATE KEY":
		return parsePKCS8(b.Bytes)
	case "RSA PRIVATE KEY":
		key, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		if err != nil {
			return nil, corruptf("RSA private key: %v", err)
		}
		return key, nil
	case "EC PRIVATE KEY":
		key, err := x509.ParseECPrivateKey(b.Bytes)
		if err != nil {
			return nil, corruptf("EC private key: %v", err)
		}
		return key, nil
	}
	return nil, fmt.Errorf("%w: PEM block %q is not a private key this package reads", ErrUnsupportedFormat, b.Type)
}
