package destinationtest

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"time"
)

// leafValidity is how long issued certificates live unless ValidBetween says otherwise.
const leafValidity = 24 * time.Hour

// defaultServerHosts are the names a server certificate is valid for when
// IssueServer is given none: every way a test reaches a loopback server.
func defaultServerHosts() []string { return []string{"localhost", "127.0.0.1", "::1"} }

// Aliases that Write* files give the key entry of a server or client identity.
const (
	ServerAlias = "server"
	ClientAlias = "client"
)

// IssueOption configures the certificates IssueClient and IssueServerWith issue.
type IssueOption interface {
	applyIssue(*issueConfig) error
}

type issueConfig struct {
	notBefore, notAfter time.Time
	key                 KeyAlgorithm
}

type issueOptionFunc func(*issueConfig) error

func (f issueOptionFunc) applyIssue(c *issueConfig) error { return f(c) }

// ValidBetween sets the certificate's validity period, to issue expired or
// not-yet-valid certificates. The default is from an hour ago for a day.
func ValidBetween(notBefore, notAfter time.Time) IssueOption {
	return issueOptionFunc(func(c *issueConfig) error {
		if !notAfter.After(notBefore) {
			return optionErr("ValidBetween(%s, %s): notAfter must come after notBefore",
				notBefore.Format(time.RFC3339), notAfter.Format(time.RFC3339))
		}
		c.notBefore, c.notAfter = notBefore, notAfter
		return nil
	})
}

// KeyType sets the key algorithm; the default is KeyECDSA.
func KeyType(k KeyAlgorithm) IssueOption {
	return issueOptionFunc(func(c *issueConfig) error {
		if k < KeyECDSA || k > KeyEd25519 {
			return optionErr("KeyType(%v): use KeyECDSA, KeyRSA or KeyEd25519", k)
		}
		c.key = k
		return nil
	})
}

// IssueServer issues a server certificate (extended key usage serverAuth)
// for hosts, DNS names or IP addresses; with none, for localhost, 127.0.0.1
// and ::1. Its common name is the first host.
func (ca *CA) IssueServer(tb TB, hosts ...string) *Identity {
	tb.Helper()
	return ca.IssueServerWith(tb, hosts)
}

// IssueServerWith is IssueServer with options, for instance an expired
// server certificate or an RSA one.
func (ca *CA) IssueServerWith(tb TB, hosts []string, opts ...IssueOption) *Identity {
	tb.Helper()
	if len(hosts) == 0 {
		hosts = defaultServerHosts()
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: hosts[0], Organization: []string{"courier"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return ca.issue(tb, tmpl, ServerAlias, opts)
}

// IssueClient issues a client certificate (extended key usage clientAuth)
// with the given common name, which Server records as Request.ClientSubject.
func (ca *CA) IssueClient(tb TB, commonName string, opts ...IssueOption) *Identity {
	tb.Helper()
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName, Organization: []string{"courier"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	return ca.issue(tb, tmpl, ClientAlias, opts)
}

// issue completes tmpl from opts, signs it and returns the identity.
func (ca *CA) issue(tb TB, tmpl *x509.Certificate, alias string, opts []IssueOption) *Identity {
	tb.Helper()
	now := time.Now()
	cfg := issueConfig{notBefore: now.Add(-time.Hour), notAfter: now.Add(leafValidity)}
	for _, o := range opts {
		if o == nil {
			fatal(tb, optionErr("nil IssueOption"))
		}
		if err := o.applyIssue(&cfg); err != nil {
			fatal(tb, err)
		}
	}
	id, err := ca.issueFor(tmpl, alias, cfg)
	if err != nil {
		fatal(tb, err)
	}
	return id
}

func (ca *CA) issueFor(tmpl *x509.Certificate, alias string, cfg issueConfig) (*Identity, error) {
	key, err := newKey(cfg.key)
	if err != nil {
		return nil, err
	}
	tmpl.NotBefore, tmpl.NotAfter = cfg.notBefore, cfg.notAfter
	tmpl.KeyUsage = leafKeyUsage(key)
	leaf, err := sign(tmpl, ca.issuer(), key.Public(), ca.issuerKey)
	if err != nil {
		return nil, err
	}
	return &Identity{
		Chain: append([]*x509.Certificate{leaf}, ca.chainAbove()...),
		Key:   key,
		root:  ca.root,
		alias: alias,
	}, nil
}

// leafKeyUsage is what a TLS leaf needs: signatures, and for RSA key
// encipherment too (TLS 1.2's RSA key exchange checks it).
func leafKeyUsage(key crypto.Signer) x509.KeyUsage {
	if _, ok := key.(*rsa.PrivateKey); ok {
		return x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	return x509.KeyUsageDigitalSignature
}
