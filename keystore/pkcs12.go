package keystore

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// parsePKCS12 opens a PKCS#12 file with go-pkcs12, which reads keytool's PBES2/AES files and the
// legacy ones. In PKCS#12 the key password is the store password (keytool ignores -keypass), so
// a key password given with WithKeyPassword is tried first and the store password after it.
//
// go-pkcs12 passwords are Go strings: those copies cannot be zeroed.
func parsePKCS12(data, password []byte, cfg *config) (*Store, error) {
	if err := checkIterations(data); err != nil {
		return nil, err
	}
	passwords := [][]byte{password}
	if cfg.keyPassword != nil && !bytes.Equal(cfg.keyPassword, password) {
		passwords = [][]byte{cfg.keyPassword, password}
	}
	var err error
	for _, p := range passwords {
		if err = checkUTF8(p); err != nil {
			return nil, err
		}
		var s *Store
		if s, err = decodePKCS12(data, string(p)); !errors.Is(err, ErrWrongPassword) {
			return s, err
		}
	}
	return nil, err
}

// decodePKCS12 decodes a key store, or else a store of trusted certificates only.
func decodePKCS12(data []byte, password string) (*Store, error) {
	key, cert, cas, err := decodeChain(data, password)
	if err == nil {
		return pkcs12KeyStore(key, append([]*x509.Certificate{cert}, cas...))
	}
	noKey := strings.Contains(err.Error(), "private key missing")
	noCert := strings.Contains(err.Error(), "certificate missing")
	if !noKey && !noCert {
		return nil, pkcs12Error(err)
	}
	certs, trustErr := decodeTrustStore(data, password)
	switch {
	case trustErr == nil:
		return pkcs12TrustStore(certs), nil
	case noCert:
		return nil, fmt.Errorf("%w: the PKCS#12 file holds a private key without its certificate", ErrNoCertificate)
	case strings.Contains(trustErr.Error(), "not marked as trusted"):
		return nil, fmt.Errorf("%w: the PKCS#12 file holds certificates that are neither a key entry's chain nor "+
			"trusted entries (openssl -nokeys?); import them with keytool -importcert into a truststore", ErrUnsupportedFormat)
	}
	return nil, pkcs12Error(trustErr)
}

// pkcs12KeyStore makes the key entry, finding the leaf by its key: DecodeChain takes the first
// certificate for the leaf, which keytool files with trusted entries contradict. Certificates
// outside the leaf's issuer chain become trusted entries.
func pkcs12KeyStore(key any, certs []*x509.Certificate) (*Store, error) {
	signer, err := asSigner(key)
	if err != nil {
		return nil, err
	}
	chain, rest := splitChain(signer, certs)
	s := &Store{Format: FormatPKCS12}
	s.Entries = append(s.Entries, Entry{Kind: PrivateKeyEntry, Chain: chain, key: signer})
	s.Entries = append(s.Entries, pkcs12TrustStore(rest).Entries...)
	return s, nil
}

func pkcs12TrustStore(certs []*x509.Certificate) *Store {
	s := &Store{Format: FormatPKCS12}
	for _, c := range certs {
		s.Entries = append(s.Entries, Entry{Kind: TrustedCertEntry, Chain: []*x509.Certificate{c}})
	}
	return s
}

// pkcs12Error maps go-pkcs12's errors, most of them plain strings, to the sentinels.
func pkcs12Error(err error) error {
	var notImplemented pkcs12.NotImplementedError
	msg := err.Error()
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return fmt.Errorf("%w: the store password does not open this PKCS#12 keystore", ErrWrongPassword)
	case strings.Contains(msg, "error decrypting PKCS#8 shrouded key bag"):
		return fmt.Errorf("%w: the password opens the PKCS#12 file but not its key; "+
			"rewrite it with keytool -importkeystore so both passwords match", ErrWrongKeyPassword)
	case strings.Contains(msg, "expected exactly one key bag"):
		return fmt.Errorf("%w: the PKCS#12 file holds several key entries, and only one can be read from PKCS#12; "+
			"export the one you need with: keytool -importkeystore -srckeystore FILE -srcstoretype PKCS12 "+
			"-srcalias ALIAS -destkeystore one.p12 -deststoretype PKCS12 (keytool -list -keystore FILE shows the aliases)",
			ErrAmbiguousAlias)
	case errors.As(err, &notImplemented):
		return fmt.Errorf("%w: %v", ErrUnsupportedFormat, err)
	}
	return corruptf("%v", err)
}

// decodeChain and decodeTrustStore run go-pkcs12 under recover: a hostile file must not take
// the process down.
func decodeChain(data []byte, password string) (key any, cert *x509.Certificate, cas []*x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = corruptf("go-pkcs12: %v", r)
		}
	}()
	return pkcs12.DecodeChain(data, password)
}

func decodeTrustStore(data []byte, password string) (certs []*x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = corruptf("go-pkcs12: %v", r)
		}
	}()
	return pkcs12.DecodeTrustStore(data, password)
}
