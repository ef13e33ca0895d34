package keystore

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
)

// Edit opens the keystore at path to add entries to it: Encode then returns the whole store,
// old entries and new. The store password is checked, and needed again by Encode.
//
// A JKS store keeps its entries exactly as they are, key entries encrypted with their own
// key passwords included. A PKCS#12 or PEM store must hold trusted certificates only (see
// Builder); its entries keep their aliases where the file names them (see Entry), and get
// aliases made from their common names where it does not.
func Edit(path string, password []byte, opts ...Option) (*Builder, error) {
	s, err := Load(path, password, opts...)
	if err != nil {
		return nil, err
	}
	if s.Format != FormatPEM && len(password) == 0 {
		return nil, prefixed(path, fmt.Errorf("%w: give the store password: without it the store's integrity "+
			"cannot be checked", ErrEmptyPassword))
	}
	b := &Builder{format: s.Format}
	if s.Format == FormatJKS {
		b.ks = s.jks
		for _, e := range s.Entries {
			b.entries = append(b.entries, buildEntry{alias: e.Alias, kind: e.Kind, chain: e.Chain})
		}
		return b, nil
	}
	for _, e := range s.Entries {
		if e.Kind == PrivateKeyEntry {
			return nil, prefixed(path, fmt.Errorf("%w: it holds a key entry, and a %s file with a key entry cannot be "+
				"written with other entries; keep trusted certificates in a separate truststore", ErrUnsupportedFormat, s.Format))
		}
		b.entries = append(b.entries, buildEntry{alias: b.editAlias(e), kind: e.Kind, chain: e.Chain})
	}
	return b, nil
}

// encodeJKS encrypts the key entries waiting for the store password and writes the store.
func (b *Builder) encodeJKS(password []byte) ([]byte, error) {
	if len(password) == 0 {
		return nil, fmt.Errorf("%w: a JKS keystore needs a store password", ErrEmptyPassword)
	}
	storePass, err := latin1(password)
	if err != nil {
		return nil, err
	}
	defer clear(storePass)
	for _, e := range b.entries {
		if e.key == nil {
			continue
		}
		if err := setJKSKeyEntry(b.ks, e, password); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := b.ks.Store(&buf, storePass); err != nil {
		return nil, fmt.Errorf("encode JKS: %w", err)
	}
	return buf.Bytes(), nil
}

// setJKSKeyEntry (errors without the package prefix) encrypts a key entry with password (UTF-8, made Latin-1 as Java does) and
// puts it in ks.
func setJKSKeyEntry(ks jks.KeyStore, e buildEntry, password []byte) error {
	if len(password) == 0 {
		return fmt.Errorf("%w: key entry %q needs a key password", ErrEmptyPassword, e.alias)
	}
	keyPass, err := latin1(password)
	if err != nil {
		return err
	}
	defer clear(keyPass)
	der, err := x509.MarshalPKCS8PrivateKey(e.key)
	if err != nil {
		return fmt.Errorf("%w: key entry %q: %v", ErrUnsupportedFormat, e.alias, err)
	}
	defer clear(der)
	entry := jks.PrivateKeyEntry{CreationTime: time.Now(), PrivateKey: der}
	for _, c := range e.chain {
		entry.CertificateChain = append(entry.CertificateChain, jksCertificate(c))
	}
	if err := ks.SetPrivateKeyEntry(e.alias, entry, keyPass); err != nil {
		return fmt.Errorf("encrypt key entry %q: %w", e.alias, err)
	}
	return nil
}

// jksCertificate wraps a certificate as keystore-go stores it, with Java's type name.
func jksCertificate(c *x509.Certificate) jks.Certificate {
	return jks.Certificate{Type: "X.509", Content: c.Raw}
}
