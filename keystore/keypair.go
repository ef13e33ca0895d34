package keystore

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"
)

// KeyPair is a private key with its certificate chain, ready for TLS.
type KeyPair struct {
	// Alias is the key entry's alias ("" for PEM, see Entry).
	Alias string
	// Chain is the chain as stored, leaf first: leaf, intermediates and possibly the root.
	Chain []*x509.Certificate
	// PrivateKey is an *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey.
	PrivateKey crypto.Signer
}

// LoadKeyPair loads the keystore at path and returns its key entry: the one WithAlias names, or
// the only one. The key password is WithKeyPassword's, else password.
func LoadKeyPair(path string, password []byte, opts ...Option) (*KeyPair, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	s, err := Load(path, password, opts...)
	if err != nil {
		return nil, err
	}
	return s.KeyPair(cfg.alias, nil)
}

// LoadCertPool loads the truststore at path and returns its certificates as a pool of roots
// (see Store.CertPool). It never falls back to the system roots: not calling it does.
func LoadCertPool(path string, password []byte, opts ...Option) (*x509.CertPool, error) {
	s, err := Load(path, password, opts...)
	if err != nil {
		return nil, err
	}
	return s.CertPool()
}

// KeyPair returns a key entry with its chain. An empty alias means the only key entry; aliases
// match case-insensitively. A store whose key entries have no aliases (PEM, see Entry) has at
// most one key entry: any alias selects it.
//
// A nil keyPassword means the password the store was opened with for its keys: WithKeyPassword's,
// else the store password. Another keyPassword decrypts a JKS key entry again; PKCS#12 and PEM
// ignore it (keytool protects PKCS#12 keys with the store password).
func (s *Store) KeyPair(alias string, keyPassword []byte) (*KeyPair, error) {
	e, err := s.keyEntry(alias)
	if err != nil {
		return nil, prefixed(s.path, err)
	}
	key, err := s.privateKey(e, keyPassword)
	if err != nil {
		return nil, prefixed(s.path, err)
	}
	kp := &KeyPair{Alias: e.Alias, Chain: slices.Clone(e.Chain), PrivateKey: key}
	if err := kp.check(); err != nil {
		return nil, prefixed(s.path, err)
	}
	return kp, nil
}

// keyEntry finds the key entry alias names, Java's way.
func (s *Store) keyEntry(alias string) (*Entry, error) {
	if alias != "" && s.keysNamed() {
		return s.aliasEntry(alias)
	}
	var keys []*Entry
	for i := range s.Entries {
		if s.Entries[i].Kind == PrivateKeyEntry {
			keys = append(keys, &s.Entries[i])
		}
	}
	switch len(keys) {
	case 0:
		return nil, fmt.Errorf("%w: the keystore holds no key entry (%d trusted certificates: a truststore?)",
			ErrNoPrivateKey, len(s.Entries))
	case 1:
		return keys[0], nil
	}
	return nil, fmt.Errorf("%w: %s; choose one with the key alias", ErrAmbiguousAlias, s.listAliases(PrivateKeyEntry))
}

// aliasEntry finds an entry by alias, ignoring case as keytool does.
func (s *Store) aliasEntry(alias string) (*Entry, error) {
	for i := range s.Entries {
		e := &s.Entries[i]
		if !strings.EqualFold(e.Alias, alias) {
			continue
		}
		if e.Kind != PrivateKeyEntry {
			return nil, fmt.Errorf("%w: entry %q is a trustedCertEntry, not a key entry", ErrNoPrivateKey, e.Alias)
		}
		return e, nil
	}
	return nil, fmt.Errorf("%w: no entry %q; the keystore has: %s", ErrAliasNotFound, alias, s.listAliases(0))
}

// listAliases names the entries of a kind (0: all) for messages.
func (s *Store) listAliases(kind EntryKind) string {
	var names []string
	for _, e := range s.Entries {
		if kind == 0 || e.Kind == kind {
			names = append(names, fmt.Sprintf("%s (%s)", e.Alias, e.Kind))
		}
	}
	if len(names) == 0 {
		return "no entries"
	}
	return strings.Join(names, ", ")
}

// privateKey returns the entry's key, decrypting it again when another password is given.
func (s *Store) privateKey(e *Entry, keyPassword []byte) (crypto.Signer, error) {
	if keyPassword != nil && s.Format == FormatJKS {
		return decryptJKSKey(s.jks, e.Alias, keyPassword)
	}
	if e.key == nil {
		return nil, e.keyErr
	}
	return e.key, nil
}

// check verifies that the chain starts with the key's certificate.
func (k *KeyPair) check() error {
	if len(k.Chain) == 0 {
		return fmt.Errorf("%w: key entry %q has no certificate chain", ErrNoCertificate, k.Alias)
	}
	if !matchesKey(k.Chain[0], k.PrivateKey) {
		return fmt.Errorf("%w: certificate %q does not hold the public key of the private key; "+
			"pair the key with its own certificate", ErrKeyMismatch, k.Chain[0].Subject)
	}
	return nil
}

// Leaf returns the key's own certificate, the first of the chain.
func (k *KeyPair) Leaf() *x509.Certificate {
	if len(k.Chain) == 0 {
		return nil
	}
	return k.Chain[0]
}

// TLSCertificate returns the pair for tls.Config.Certificates (or GetClientCertificate): the whole
// chain as stored, so that servers get the intermediates, and Leaf set.
func (k *KeyPair) TLSCertificate() tls.Certificate {
	raw := make([][]byte, len(k.Chain))
	for i, c := range k.Chain {
		raw[i] = c.Raw
	}
	return tls.Certificate{Certificate: raw, PrivateKey: k.PrivateKey, Leaf: k.Leaf()}
}

// CheckValidity reports, as a *ValidityError wrapping ErrExpired or ErrNotYetValid, the first
// certificate of the chain that is not valid at now. A self-signed root at the end of the chain
// is skipped: the server checks its own copy of it.
func (k *KeyPair) CheckValidity(now time.Time) error {
	for i, c := range k.Chain {
		if i > 0 && isSelfSigned(c) {
			continue
		}
		switch {
		case now.Before(c.NotBefore):
			return &ValidityError{Subject: c.Subject.String(), NotBefore: c.NotBefore, NotAfter: c.NotAfter, Now: now, Err: ErrNotYetValid}
		case now.After(c.NotAfter):
			return &ValidityError{Subject: c.Subject.String(), NotBefore: c.NotBefore, NotAfter: c.NotAfter, Now: now, Err: ErrExpired}
		}
	}
	return nil
}

// ValidityError says which certificate is outside its validity period, and when that is.
type ValidityError struct {
	Subject             string
	NotBefore, NotAfter time.Time
	Now                 time.Time
	Err                 error // ErrExpired or ErrNotYetValid
}

func (e *ValidityError) Error() string {
	const day = "2006-01-02 15:04:05 MST"
	if e.Err == ErrNotYetValid {
		return fmt.Sprintf("keystore: %v: %q is valid from %s (until %s), and it is %s; check the clock or wait",
			e.Err, e.Subject, e.NotBefore.UTC().Format(day), e.NotAfter.UTC().Format(day), e.Now.UTC().Format(day))
	}
	return fmt.Sprintf("keystore: %v: %q expired on %s (valid from %s), and it is %s; renew the certificate",
		e.Err, e.Subject, e.NotAfter.UTC().Format(day), e.NotBefore.UTC().Format(day), e.Now.UTC().Format(day))
}

// Unwrap returns ErrExpired or ErrNotYetValid.
func (e *ValidityError) Unwrap() error { return e.Err }
