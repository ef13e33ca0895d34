package keystore

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
)

// parseJKS opens a JKS keystore with keystore-go. The structure is checked first (scanJKS), and
// keystore-go runs under recover all the same: a hostile file must not take the process down.
//
// As Java does, an empty store password opens the store without checking its integrity (Java's
// KeyStore.load(in, null)); key entries then still need their password.
func parseJKS(data, password []byte, cfg *config) (*Store, error) {
	created, err := scanJKS(data)
	if err != nil {
		return nil, err
	}
	storePass, err := latin1(password)
	if err != nil {
		return nil, err
	}
	defer clear(storePass)
	ks := jks.New(jks.WithCaseExactAliases(), jks.WithOrderedAliases())
	if err := loadJKS(ks, data, storePass); err != nil {
		return nil, err
	}
	keyPass := storePass
	if cfg.keyPassword != nil {
		if keyPass, err = latin1(cfg.keyPassword); err != nil {
			return nil, err
		}
		defer clear(keyPass)
	}
	s := &Store{Format: FormatJKS, jks: ks}
	for _, alias := range ks.Aliases() {
		e, err := jksEntry(ks, alias, keyPass)
		if err != nil {
			return nil, err
		}
		e.Created = created[alias]
		if errors.Is(e.keyErr, ErrWrongKeyPassword) && len(password) == 0 && cfg.keyPassword == nil {
			e.keyErr = fmt.Errorf("%w: key entry %q needs a password, and none was given", ErrWrongKeyPassword, alias)
		}
		s.Entries = append(s.Entries, e)
	}
	return s, nil
}

// loadJKS runs keystore-go's Load, turning its digest error into ErrWrongPassword.
func loadJKS(ks jks.KeyStore, data, storePass []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = corruptf("keystore-go: %v", r)
		}
	}()
	err = ks.Load(bytes.NewReader(data), storePass)
	switch {
	case err == nil:
		return nil
	case !isInvalidDigest(err):
		return corruptf("%v", err)
	case len(storePass) == 0:
		return nil // no password: Java skips the integrity check; keystore-go has read the entries
	}
	return fmt.Errorf("%w: the store password does not open this JKS keystore "+
		"(keytool: \"Keystore was tampered with, or password was incorrect\")", ErrWrongPassword)
}

// isInvalidDigest recognises keystore-go's only word for a wrong password, store or key.
func isInvalidDigest(err error) bool {
	return strings.Contains(err.Error(), "got invalid digest")
}

// jksEntry converts one keystore-go entry, decrypting a key with keyPass. A key that does not
// decrypt is remembered as keyErr: KeyPair may still be given its password.
func jksEntry(ks jks.KeyStore, alias string, keyPass []byte) (Entry, error) {
	if !ks.IsPrivateKeyEntry(alias) {
		tce, err := ks.GetTrustedCertificateEntry(alias)
		if err != nil {
			return Entry{}, corruptf("entry %q: %v", alias, err)
		}
		chain, err := jksCertificates([]jks.Certificate{tce.Certificate}, alias)
		return Entry{Alias: alias, Kind: TrustedCertEntry, Chain: chain}, err
	}
	certs, err := ks.GetPrivateKeyEntryCertificateChain(alias)
	if err != nil {
		return Entry{}, corruptf("entry %q: %v", alias, err)
	}
	chain, err := jksCertificates(certs, alias)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{Alias: alias, Kind: PrivateKeyEntry, Chain: chain}
	e.key, e.keyErr = decryptJKS(ks, alias, keyPass)
	return e, nil
}

// jksCertificates parses the certificates of an entry; JKS can hold other types than X.509.
func jksCertificates(certs []jks.Certificate, alias string) ([]*x509.Certificate, error) {
	ders := make([][]byte, 0, len(certs))
	for _, c := range certs {
		if c.Type != "X.509" && c.Type != "X509" {
			return nil, fmt.Errorf("%w: entry %q holds a %q certificate; only X.509 is supported", ErrUnsupportedFormat, alias, c.Type)
		}
		ders = append(ders, c.Content)
	}
	return parseCertificates(ders, fmt.Sprintf("entry %q", alias))
}

// decryptJKSKey decrypts a key entry with a password given after the store was opened.
func decryptJKSKey(ks jks.KeyStore, alias string, password []byte) (crypto.Signer, error) {
	keyPass, err := latin1(password)
	if err != nil {
		return nil, err
	}
	defer clear(keyPass)
	return decryptJKS(ks, alias, keyPass)
}

// decryptJKS decrypts a key entry with keystore-go, under recover.
func decryptJKS(ks jks.KeyStore, alias string, keyPass []byte) (key crypto.Signer, err error) {
	defer func() {
		if r := recover(); r != nil {
			key, err = nil, corruptf("entry %q: keystore-go: %v", alias, r)
		}
	}()
	pke, err := ks.GetPrivateKeyEntry(alias, keyPass)
	if err != nil {
		if isInvalidDigest(err) {
			return nil, fmt.Errorf("%w: the store opened, but the key password does not open key entry %q; "+
				"give the entry's own key password", ErrWrongKeyPassword, alias)
		}
		return nil, fmt.Errorf("%w: entry %q: %v", ErrUnsupportedFormat, alias, err)
	}
	defer clear(pke.PrivateKey)
	return parsePKCS8(pke.PrivateKey)
}
