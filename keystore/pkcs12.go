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

// decodePKCS12 decodes a key store, or else a store of trusted certificates only. go-pkcs12
// decodes; the walker (p12walk.go) names the entries and, when there are several key entries,
// gives go-pkcs12 one at a time.
func decodePKCS12(data []byte, password string) (*Store, error) {
	f, err := readP12(data)
	if err != nil {
		f = nil // go-pkcs12 judges the file; without the walker, entries have no aliases
	}
	key, cert, cas, err := decodeChain(data, password)
	var notImplemented pkcs12.NotImplementedError
	switch {
	case err == nil:
		return p12Store(f, password, []p12Key{{key: key}}, append([]*x509.Certificate{cert}, cas...))
	case f != nil && strings.Contains(err.Error(), "expected exactly one key bag"):
		return decodeKeys(f, password, err)
	case f != nil && len(f.parts) == 0 && errors.As(err, &notImplemented):
		// keytool's empty store (-genkeypair, then -delete): go-pkcs12 wants at least one part,
		// and says so only once the MAC has proved the password.
		return &Store{Format: FormatPKCS12}, nil
	}
	return decodeTrusted(f, data, password, err)
}

// decodeTrusted decodes a store of trusted certificates, which DecodeChain refused (chainErr).
func decodeTrusted(f *p12File, data []byte, password string, chainErr error) (*Store, error) {
	noKey := strings.Contains(chainErr.Error(), "private key missing")
	noCert := strings.Contains(chainErr.Error(), "certificate missing")
	if !noKey && !noCert {
		return nil, pkcs12Error(chainErr)
	}
	certs, trustErr := decodeTrustStore(data, password)
	switch {
	case trustErr == nil:
		return p12Store(f, password, nil, certs)
	case noCert:
		return nil, fmt.Errorf("%w: the PKCS#12 file holds a private key without its certificate", ErrNoCertificate)
	case strings.Contains(trustErr.Error(), "not marked as trusted"):
		return nil, fmt.Errorf("%w: the PKCS#12 file holds certificates that are neither a key entry's chain nor "+
			"trusted entries (openssl -nokeys?); import them with keytool -importcert into a truststore", ErrUnsupportedFormat)
	}
	return nil, pkcs12Error(trustErr)
}

// decodeKeys decodes a file with several key entries, which go-pkcs12 refuses (several said
// so), one key bag at a time: each time it gets the file with that key bag alone. The file's
// MAC has been verified by then: go-pkcs12 counts key bags after checking it.
func decodeKeys(f *p12File, password string, several error) (*Store, error) {
	bags := f.plainKeyBags()
	if len(bags) < 2 {
		return nil, pkcs12Error(several) // the other keys are in an encrypted part: no way to pick one
	}
	keys := make([]p12Key, 0, len(bags))
	var certs []*x509.Certificate
	for _, b := range bags {
		one, err := f.withOneKey(b, password)
		if err != nil {
			return nil, corruptf("key entry %q: %v", b.alias, err)
		}
		key, cert, cas, err := decodeChain(one, password)
		if err != nil {
			return nil, pkcs12Error(err)
		}
		keys = append(keys, p12Key{key: key, bag: b})
		certs = append([]*x509.Certificate{cert}, cas...)
	}
	return p12Store(f, password, keys, certs)
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
		return fmt.Errorf("%w: the PKCS#12 file holds several key entries in encrypted parts, where none can be picked; "+
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
