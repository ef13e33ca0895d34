package keystore

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
)

// maxSize bounds what Read accepts: keystores and CA bundles are kilobytes, not megabytes.
const maxSize = 16 << 20

// EntryKind tells key entries from trusted certificates, as Java does.
type EntryKind int

// The kinds of keystore entries.
const (
	PrivateKeyEntry EntryKind = iota + 1
	TrustedCertEntry
)

// String returns the name keytool -list prints.
func (k EntryKind) String() string {
	switch k {
	case PrivateKeyEntry:
		return "PrivateKeyEntry"
	case TrustedCertEntry:
		return "trustedCertEntry"
	}
	return fmt.Sprintf("EntryKind(%d)", int(k))
}

// Entry is one keystore entry. A PrivateKeyEntry's Chain is its certificate chain as stored,
// leaf first; a TrustedCertEntry's Chain is its one certificate.
//
// Alias is the alias as stored in a JKS file, or the friendlyName of a PKCS#12 entry
// lower-cased, as Java lists it. PEM entries have the alias "", and so do the trusted
// certificates of legacy PKCS#12 files (3DES/RC2, -J-Dkeystore.pkcs12.legacy, Java 8), whose
// names are encrypted with algorithms this package does not open, and entries of files that
// name none. Created is the JKS creation date; it is zero for PKCS#12 and PEM.
type Entry struct {
	Alias   string
	Kind    EntryKind
	Created time.Time
	Chain   []*x509.Certificate

	key    crypto.Signer // decrypted when the store was opened, or nil
	keyErr error         // why key is nil
}

// Store is an opened keystore: its format and entries. Private keys are decrypted when the store
// is opened (with the key password option, else the store password); the store keeps no password.
// Its methods are safe for concurrent use as long as Entries is not modified.
type Store struct {
	Format  Format
	Entries []Entry

	path string       // the file it came from, for messages
	jks  jks.KeyStore // JKS only: to decrypt a key entry with another password
}

// Load reads and parses the keystore file at path. Errors name the file.
func Load(path string, password []byte, opts ...Option) (*Store, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	cfg.path = path
	data, err := readFile(path)
	if err != nil {
		return nil, prefixed(path, err)
	}
	s, err := parse(data, password, cfg)
	return s, prefixed(path, err)
}

// Read reads a keystore from r and parses it.
func Read(r io.Reader, password []byte, opts ...Option) (*Store, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, prefixed("", err)
	}
	return Parse(data, password, opts...)
}

// Parse parses a keystore: JKS, PKCS#12 or PEM, detected from data unless WithFormat says.
// password opens the store; it is not kept, and the copies made of it are zeroed.
// PEM keys are not encrypted: a PEM store ignores password.
func Parse(data []byte, password []byte, opts ...Option) (*Store, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	s, err := parse(data, password, cfg)
	return s, prefixed("", err)
}

func parse(data, password []byte, cfg *config) (*Store, error) {
	format, err := detectFormat(data, cfg.path)
	if err != nil {
		return nil, err
	}
	if err := checkFormat(format, cfg); err != nil {
		return nil, err
	}
	var s *Store
	switch format {
	case FormatJKS:
		s, err = parseJKS(data, password, cfg)
	case FormatPKCS12:
		s, err = parsePKCS12(data, password, cfg)
	default:
		s, err = parsePEM(data, cfg)
	}
	if err != nil {
		return nil, err
	}
	s.path = cfg.path
	return s, nil
}

// checkFormat compares the detected format with the one the caller asked for.
func checkFormat(detected Format, cfg *config) error {
	if (cfg.keyFile != "" || cfg.keyPEM != nil) && detected != FormatPEM {
		return fmt.Errorf("a separate key file applies to PEM certificates only, and this keystore is %s", detected)
	}
	switch cfg.format {
	case "", detected:
		return nil
	case FormatJKS, FormatPKCS12:
		if detected == FormatJKS || detected == FormatPKCS12 {
			return nil // Java's keystore.type.compat: either type opens both
		}
	}
	return fmt.Errorf("%w: the keystore type says %s but the file is %s", ErrUnsupportedFormat, cfg.format, detected)
}

// readFile reads a keystore file, refusing anything too large to be one.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the message
		}
		return nil, err
	}
	defer f.Close()
	return readAll(f)
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSize {
		return nil, corruptf("larger than %d MiB: not a keystore", maxSize>>20)
	}
	return data, nil
}

// Certificates returns the certificates Java trusts when this store is a truststore: every
// trustedCertEntry and the first certificate of every key entry (as JSSE's TrustStoreUtil does).
func (s *Store) Certificates() []*x509.Certificate {
	var certs []*x509.Certificate
	seen := map[string]bool{}
	for _, e := range s.Entries {
		if len(e.Chain) == 0 || seen[string(e.Chain[0].Raw)] {
			continue
		}
		seen[string(e.Chain[0].Raw)] = true
		certs = append(certs, e.Chain[0])
	}
	return certs
}

// CertPool returns Certificates as a pool of roots. A store without certificates is an
// ErrEmptyTruststore error: an empty pool would reject every server.
func (s *Store) CertPool() (*x509.CertPool, error) {
	certs := s.Certificates()
	if len(certs) == 0 {
		return nil, s.errorf("%w: no certificates to trust; add the partner's CA with keytool -importcert", ErrEmptyTruststore)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// Aliases returns the aliases of the entries in file order (JKS: alphabetical, as keytool lists).
func (s *Store) Aliases() []string {
	aliases := make([]string, 0, len(s.Entries))
	for _, e := range s.Entries {
		aliases = append(aliases, e.Alias)
	}
	return aliases
}

// keysNamed reports whether key entries are picked by alias: in JKS always; in PKCS#12 when
// the file names every key entry (see Entry).
func (s *Store) keysNamed() bool {
	switch s.Format {
	case FormatJKS:
		return true
	case FormatPKCS12:
	default:
		return false
	}
	named := false
	for _, e := range s.Entries {
		if e.Kind == PrivateKeyEntry {
			if e.Alias == "" {
				return false
			}
			named = true
		}
	}
	return named
}

// errorf makes an error of the store, naming its file.
func (s *Store) errorf(format string, args ...any) error {
	return prefixed(s.path, fmt.Errorf(format, args...))
}
