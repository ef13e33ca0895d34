package keystore

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// Sentinel errors of the writers, for errors.Is.
var (
	// ErrAliasExists: an entry with this alias is already in the keystore (aliases compare
	// case-insensitively, as keytool's do).
	ErrAliasExists = errors.New("alias already exists")
	// ErrEmptyPassword: a keystore is written or edited without a password. keytool cannot
	// open a store written with an empty password, and an empty password would let Edit skip
	// the store's integrity check.
	ErrEmptyPassword = errors.New("empty password")
)

// Builder makes a keystore file: a new one (NewBuilder) or an existing one with more entries
// (Edit). Add entries, then Encode. It writes FormatJKS and FormatPKCS12 with key entries and
// trusted certificates, and FormatPEM with trusted certificates only.
//
// PKCS#12 files are written with go-pkcs12's modern encoder (PBES2/AES-256, HMAC-SHA256 MAC),
// which keytool 17 reads. go-pkcs12 writes either one key entry with its chain or trusted
// certificates, never both in one file: Add refuses to mix them.
//
// A Builder keeps no password: a key entry added with its own key password is encrypted at
// once; one added without waits for Encode's store password. It is not safe for concurrent use.
type Builder struct {
	format  Format
	entries []buildEntry

	ks jks.KeyStore // JKS: the entries so far, keys already encrypted; an edited store's own
}

// buildEntry is what the Builder knows of an entry: enough to find duplicates and encode it.
type buildEntry struct {
	alias string
	kind  EntryKind
	chain []*x509.Certificate
	key   crypto.Signer // a key entry waiting for the store password, or a PKCS#12 key
}

// NewBuilder starts an empty keystore of the given format: FormatJKS, FormatPKCS12 or FormatPEM.
func NewBuilder(format Format) (*Builder, error) {
	switch format {
	case FormatJKS, FormatPKCS12, FormatPEM:
	default:
		return nil, fmt.Errorf("keystore: %w: cannot write keystore type %q: use JKS, PKCS12 or PEM", ErrUnsupportedFormat, format)
	}
	b := &Builder{format: format}
	if format == FormatJKS {
		b.ks = emptyJKS()
	}
	return b, nil
}

// emptyJKS makes an empty keystore-go store that keeps aliases as given (the Builder lower-cases
// new ones itself) and lists them alphabetically, as keytool does.
func emptyJKS() jks.KeyStore {
	return jks.New(jks.WithCaseExactAliases(), jks.WithOrderedAliases())
}

// Format returns the format Encode writes.
func (b *Builder) Format() Format { return b.format }

// AddKeyPair adds a key entry: kp's private key with its chain, under alias. JKS aliases are
// lower-cased, as keytool stores them.
//
// keyPassword protects the key in a JKS file; nil means the store password given to Encode,
// which is what NEO and keytool assume. PKCS#12 protects keys with the store password: there
// keyPassword must be nil. keyPassword is not kept.
func (b *Builder) AddKeyPair(alias string, kp *KeyPair, keyPassword []byte) error {
	if kp == nil || kp.PrivateKey == nil {
		return fmt.Errorf("keystore: %w: no key pair to add", ErrNoPrivateKey)
	}
	if err := kp.check(); err != nil {
		return prefixed("", err)
	}
	alias, err := b.newAlias(alias)
	if err != nil {
		return err
	}
	e := buildEntry{alias: alias, kind: PrivateKeyEntry, chain: slices.Clone(kp.Chain), key: kp.PrivateKey}
	switch b.format {
	case FormatPKCS12:
		if err := b.checkPKCS12KeyPair(keyPassword); err != nil {
			return err
		}
	case FormatPEM:
		return fmt.Errorf("keystore: %w: a PEM keystore is written with trusted certificates only; "+
			"write key pairs as JKS or PKCS12", ErrUnsupportedFormat)
	default:
		if keyPassword != nil {
			if err := setJKSKeyEntry(b.ks, e, keyPassword); err != nil {
				return prefixed("", err)
			}
			e.key = nil // encrypted now: Encode has nothing left to do with it
		}
	}
	b.entries = append(b.entries, e)
	return nil
}

// checkPKCS12KeyPair refuses what go-pkcs12 cannot write.
func (b *Builder) checkPKCS12KeyPair(keyPassword []byte) error {
	if keyPassword != nil {
		return fmt.Errorf("keystore: %w: PKCS#12 protects keys with the store password "+
			"(keytool ignores a different key password); give no key password, or write JKS", ErrUnsupportedFormat)
	}
	if len(b.entries) > 0 {
		return fmt.Errorf("keystore: %w: a PKCS#12 file is written with one key entry and nothing else "+
			"(go-pkcs12 cannot write a key entry beside %s); put trusted certificates in a separate truststore",
			ErrUnsupportedFormat, b.entries[0].describe())
	}
	return nil
}

// AddTrusted adds cert as a trustedCertEntry under alias. JKS aliases are lower-cased, as
// keytool stores them. UniqueAlias makes an alias that is free; Contains tells whether the
// certificate is there already.
func (b *Builder) AddTrusted(alias string, cert *x509.Certificate) error {
	if cert == nil {
		return fmt.Errorf("keystore: %w: no certificate to add", ErrNoCertificate)
	}
	alias, err := b.newAlias(alias)
	if err != nil {
		return err
	}
	if b.format == FormatPKCS12 && slices.ContainsFunc(b.entries, func(e buildEntry) bool { return e.kind == PrivateKeyEntry }) {
		return fmt.Errorf("keystore: %w: a PKCS#12 file is written with one key entry and nothing else "+
			"(go-pkcs12 cannot write trusted certificates beside a key entry); put them in a separate truststore, "+
			"or write JKS", ErrUnsupportedFormat)
	}
	e := buildEntry{alias: alias, kind: TrustedCertEntry, chain: []*x509.Certificate{cert}}
	if b.format == FormatJKS {
		entry := jks.TrustedCertificateEntry{CreationTime: time.Now(), Certificate: jksCertificate(cert)}
		if err := b.ks.SetTrustedCertificateEntry(alias, entry); err != nil {
			return fmt.Errorf("keystore: %w: trusted entry %q: %v", ErrCorrupt, alias, err)
		}
	}
	b.entries = append(b.entries, e)
	return nil
}

// newAlias checks an alias for a new entry and returns it as the format stores it.
func (b *Builder) newAlias(alias string) (string, error) {
	if strings.TrimSpace(alias) == "" {
		return "", errors.New("keystore: every entry needs an alias")
	}
	if b.format == FormatJKS {
		alias = strings.ToLower(alias)
	}
	if b.Has(alias) {
		return "", fmt.Errorf("keystore: %w: %q; choose another alias (the keystore has: %s)", ErrAliasExists, alias, b.aliasList())
	}
	return alias, nil
}

// Has reports whether an entry has this alias, ignoring case as keytool does.
func (b *Builder) Has(alias string) bool {
	return slices.ContainsFunc(b.entries, func(e buildEntry) bool { return strings.EqualFold(e.alias, alias) })
}

// UniqueAlias returns base, or base-2, base-3, ... whichever no entry has yet: keytool's
// aliases for certificates, made from their common names. JKS aliases come lower-cased.
// An empty base becomes "cert".
func (b *Builder) UniqueAlias(base string) string {
	base = strings.TrimSpace(base)
	if base == "" {
		base = "cert"
	}
	if b.format == FormatJKS {
		base = strings.ToLower(base)
	}
	alias := base
	for n := 2; b.Has(alias); n++ {
		alias = base + "-" + strconv.Itoa(n)
	}
	return alias
}

// Contains returns the alias of the entry that holds cert, as a trusted certificate or as a
// key entry's own certificate, and whether there is one.
func (b *Builder) Contains(cert *x509.Certificate) (alias string, ok bool) {
	for _, e := range b.entries {
		if len(e.chain) > 0 && e.chain[0].Equal(cert) {
			return e.alias, true
		}
	}
	return "", false
}

// Aliases returns the aliases of the entries, the edited file's first.
func (b *Builder) Aliases() []string {
	aliases := make([]string, len(b.entries))
	for i, e := range b.entries {
		aliases[i] = e.alias
	}
	return aliases
}

func (b *Builder) aliasList() string {
	if len(b.entries) == 0 {
		return "no entries"
	}
	names := make([]string, len(b.entries))
	for i, e := range b.entries {
		names[i] = e.describe()
	}
	return strings.Join(names, ", ")
}

func (e buildEntry) describe() string { return fmt.Sprintf("%s (%s)", e.alias, e.kind) }

// Encode returns the keystore file, protected by password (UTF-8; Latin-1 only for JKS, ASCII
// only for PKCS#12, since Java 17 cannot open PBES2 files with other passwords). Key entries
// added without a key password get password as theirs. FormatPEM ignores password.
// The copies made of password are zeroed, except the string go-pkcs12 requires.
func (b *Builder) Encode(password []byte) ([]byte, error) {
	var (
		data []byte
		err  error
	)
	switch b.format {
	case FormatJKS:
		data, err = b.encodeJKS(password)
	case FormatPKCS12:
		data, err = b.encodePKCS12(password)
	default:
		data = EncodePEM(b.certificates())
	}
	return data, prefixed("", err)
}

// certificates returns every entry's certificate, for PEM.
func (b *Builder) certificates() []*x509.Certificate {
	var certs []*x509.Certificate
	for _, e := range b.entries {
		certs = append(certs, e.chain[0])
	}
	return certs
}

// trustStoreEntries returns the trusted entries for go-pkcs12.
func (b *Builder) trustStoreEntries() []pkcs12.TrustStoreEntry {
	var out []pkcs12.TrustStoreEntry
	for _, e := range b.entries {
		if e.kind == TrustedCertEntry {
			out = append(out, pkcs12.TrustStoreEntry{Cert: e.chain[0], FriendlyName: e.alias})
		}
	}
	return out
}
