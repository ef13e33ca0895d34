package destinationtest

import (
	"strings"

	"github.com/mtlscourier/courier/destination"
)

// ClientCommonName is the common name of Server.ClientIdentity's certificate.
const ClientCommonName = "courier-client"

// ClientIdentity returns a client identity issued by the server's CA, with
// common name "courier-client"; the same one on every call.
func (s *Server) ClientIdentity(tb TB) *Identity {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		s.client = s.CA.IssueClient(tb, ClientCommonName)
	}
	return s.client
}

// DestinationOption configures Server.Destination and CA.Destination.
type DestinationOption interface {
	applyDestination(*destinationConfig) error
}

type keystoreFormat int

const (
	formatJKS keystoreFormat = iota
	formatPKCS12
	formatPEM
)

type destinationConfig struct {
	format   keystoreFormat
	identity *Identity
	path     string
}

type destinationOptionFunc func(*destinationConfig) error

func (f destinationOptionFunc) applyDestination(c *destinationConfig) error { return f(c) }

// WithPKCS12 writes the keystore and truststore as PKCS#12 (client.p12,
// truststore.p12) instead of JKS.
func WithPKCS12() DestinationOption {
	return destinationOptionFunc(func(c *destinationConfig) error {
		c.format = formatPKCS12
		return nil
	})
}

// WithPEM writes PEM files and sets CertFile (client.crt), KeyFile
// (client.key) and CAFile (ca.crt) instead of the keystore fields.
func WithPEM() DestinationOption {
	return destinationOptionFunc(func(c *destinationConfig) error {
		c.format = formatPEM
		return nil
	})
}

// WithIdentity writes id as the client's key pair instead of
// Server.ClientIdentity: one from another CA, expired, or LeafOnly.
func WithIdentity(id *Identity) DestinationOption {
	return destinationOptionFunc(func(c *destinationConfig) error {
		if err := id.check(); err != nil {
			return optionErr("WithIdentity: %w", err)
		}
		c.identity = id
		return nil
	})
}

// WithPath appends path to the URL; a missing leading slash is added.
func WithPath(path string) DestinationOption {
	return destinationOptionFunc(func(c *destinationConfig) error {
		if path != "" && !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		c.path = path
		return nil
	})
}

// Destination returns a Config ready to send to the server over mutual
// TLS: URL s.URL (plus WithPath), method POST, the client identity
// (ClientIdentity unless WithIdentity) in client.jks and the CA's root in
// truststore.jks, both with password "changeit" and written to one new
// folder from tb.TempDir(), which is Dir. File paths are absolute. Types
// are left for courier to detect from the files' bytes, and everything
// else at its default.
func (s *Server) Destination(tb TB, opts ...DestinationOption) *destination.Config {
	tb.Helper()
	cfg := newDestinationConfig(tb, opts)
	if cfg.identity == nil {
		cfg.identity = s.ClientIdentity(tb)
	}
	return s.CA.destination(tb, s.URL, cfg)
}

// Destination is Server.Destination for a server that is not there: url
// is used as it is (plus WithPath), and the client identity is a new one
// with common name "courier-client" unless WithIdentity. Use it with
// Transport, since courier loads the keystores even when it sends through
// destination.WithTransport.
func (ca *CA) Destination(tb TB, url string, opts ...DestinationOption) *destination.Config {
	tb.Helper()
	cfg := newDestinationConfig(tb, opts)
	if cfg.identity == nil {
		cfg.identity = ca.IssueClient(tb, ClientCommonName)
	}
	return ca.destination(tb, url, cfg)
}

func newDestinationConfig(tb TB, opts []DestinationOption) destinationConfig {
	tb.Helper()
	var cfg destinationConfig
	for _, o := range opts {
		if o == nil {
			fatal(tb, optionErr("nil DestinationOption"))
		}
		if err := o.applyDestination(&cfg); err != nil {
			fatal(tb, err)
		}
	}
	return cfg
}

func (ca *CA) destination(tb TB, url string, cfg destinationConfig) *destination.Config {
	tb.Helper()
	// The files are named after the client, whatever the identity's alias.
	id := *cfg.identity
	id.alias = ClientAlias
	dc := &destination.Config{
		URL:    url + cfg.path,
		Method: destination.DefaultMethod,
		Dir:    tb.TempDir(),
	}
	if err := writeMaterial(dc, &id, ca, cfg.format); err != nil {
		fatal(tb, err)
	}
	return dc
}

// writeMaterial writes id and ca's root into dc.Dir as format, and points
// dc at them.
func writeMaterial(dc *destination.Config, id *Identity, ca *CA, format keystoreFormat) error {
	var err error
	switch format {
	case formatPEM:
		if dc.CertFile, dc.KeyFile, err = id.writePEM(dc.Dir); err != nil {
			return err
		}
		dc.CAFile, err = ca.writeCAPEM(dc.Dir)
		return err
	case formatPKCS12:
		dc.KeystoreFile, err = id.writePKCS12(dc.Dir, DefaultPassword)
		if err == nil {
			dc.TruststoreFile, err = ca.writeTruststorePKCS12(dc.Dir, DefaultPassword)
		}
	default:
		dc.KeystoreFile, err = id.writeJKS(dc.Dir, DefaultPassword)
		if err == nil {
			dc.TruststoreFile, err = ca.writeTruststoreJKS(dc.Dir, DefaultPassword)
		}
	}
	dc.KeystorePass = destination.NewSecret(DefaultPassword)
	dc.TruststorePass = destination.NewSecret(DefaultPassword)
	return err
}
