package destinationtest

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"time"
)

// Names of the test CA's certificates, as keytool -list and error messages show them.
const (
	RootCommonName         = "courier test root"
	IntermediateCommonName = "courier test intermediate"
)

// caValidity is how long the test CA lives; far longer than any test, and
// the leaves it issues may outlive it without Go or Java minding.
const caValidity = 10 * 365 * 24 * time.Hour

// CA is a test certificate authority: a self-signed root and, unless
// WithoutIntermediate, an intermediate under it that issues every
// certificate. Real partners' CAs usually have an intermediate, and a client
// that forgets to send it is a classic misconfiguration (see
// Identity.LeafOnly). All keys are ECDSA P-256.
type CA struct {
	root         *x509.Certificate
	rootKey      crypto.Signer
	intermediate *x509.Certificate // nil WithoutIntermediate
	issuerKey    crypto.Signer     // intermediate's key, or the root's
}

// CAOption configures NewCA.
type CAOption interface {
	applyCA(*caConfig) error
}

type caConfig struct {
	withoutIntermediate bool
}

type caOptionFunc func(*caConfig) error

func (f caOptionFunc) applyCA(c *caConfig) error { return f(c) }

// WithoutIntermediate makes the root issue certificates itself.
func WithoutIntermediate() CAOption {
	return caOptionFunc(func(c *caConfig) error {
		c.withoutIntermediate = true
		return nil
	})
}

// NewCA makes a new test CA; it ends the test if key generation fails.
func NewCA(tb TB, opts ...CAOption) *CA {
	tb.Helper()
	var cfg caConfig
	for _, o := range opts {
		if err := o.applyCA(&cfg); err != nil {
			fatal(tb, err)
		}
	}
	ca, err := newCA(cfg)
	if err != nil {
		fatal(tb, err)
	}
	return ca
}

func newCA(cfg caConfig) (*CA, error) {
	rootKey, err := newKey(KeyECDSA)
	if err != nil {
		return nil, err
	}
	root, err := sign(caTemplate(RootCommonName, 1), nil, rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	ca := &CA{root: root, rootKey: rootKey, issuerKey: rootKey}
	if cfg.withoutIntermediate {
		return ca, nil
	}
	key, err := newKey(KeyECDSA)
	if err != nil {
		return nil, err
	}
	ca.intermediate, err = sign(caTemplate(IntermediateCommonName, 0), root, key.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	ca.issuerKey = key
	return ca, nil
}

// caTemplate describes a CA certificate that may have maxPathLen CAs below it.
func caTemplate(commonName string, maxPathLen int) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"courier"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            maxPathLen,
		MaxPathLenZero:        maxPathLen == 0,
	}
}

// Root returns the self-signed root certificate.
func (ca *CA) Root() *x509.Certificate { return ca.root }

// Intermediate returns the intermediate certificate, or nil for a CA made
// WithoutIntermediate.
func (ca *CA) Intermediate() *x509.Certificate { return ca.intermediate }

// Pool returns a new pool holding the root alone: what a truststore holds.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.root)
	return p
}

// issuer returns the certificate that signs leaves.
func (ca *CA) issuer() *x509.Certificate {
	if ca.intermediate != nil {
		return ca.intermediate
	}
	return ca.root
}

// chainAbove returns the certificates a leaf sends after itself.
func (ca *CA) chainAbove() []*x509.Certificate {
	if ca.intermediate != nil {
		return []*x509.Certificate{ca.intermediate}
	}
	return nil
}
