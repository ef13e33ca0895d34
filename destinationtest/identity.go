package destinationtest

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
)

// Identity is a private key with its certificate chain: what a keystore's
// key entry holds and what a TLS peer presents.
type Identity struct {
	// Chain is the leaf first, then the intermediates that lead to the
	// root, without the root itself (peers have it already).
	Chain []*x509.Certificate
	// Key is the leaf's private key.
	Key crypto.Signer

	root  *x509.Certificate // the issuing CA's root, written into keystores as keytool does; may be nil
	alias string            // key entry alias in written keystores; "" means ClientAlias
}

// Leaf returns the identity's own certificate, Chain[0].
func (id *Identity) Leaf() *x509.Certificate { return id.Chain[0] }

// TLSCertificate returns the identity for tls.Config.Certificates.
func (id *Identity) TLSCertificate() tls.Certificate {
	c := tls.Certificate{PrivateKey: id.Key, Leaf: id.Chain[0]}
	for _, cert := range id.Chain {
		c.Certificate = append(c.Certificate, cert.Raw)
	}
	return c
}

// LeafOnly returns the identity with the same key and a chain without its
// intermediates: a common misconfiguration, since a server that trusts only
// the root cannot then verify the leaf. Go clients even send no certificate
// at all when their chain does not lead to a CA the server names.
func (id *Identity) LeafOnly() *Identity {
	c := *id
	c.Chain = id.Chain[:1:1]
	return &c
}

// keystoreChain is the chain as keytool stores it in a key entry: leaf,
// intermediates and the root, when the chain leads to that root.
func (id *Identity) keystoreChain() []*x509.Certificate {
	chain := append([]*x509.Certificate(nil), id.Chain...)
	top := chain[len(chain)-1]
	if id.root != nil && !top.Equal(id.root) && top.CheckSignatureFrom(id.root) == nil {
		chain = append(chain, id.root)
	}
	return chain
}

// aliasOrDefault is the key entry alias for written keystores.
func (id *Identity) aliasOrDefault() string {
	if id.alias == "" {
		return ClientAlias
	}
	return id.alias
}

// check reports an Identity that cannot be written: a hand-made one
// without a chain or key.
func (id *Identity) check() error {
	if id == nil || len(id.Chain) == 0 || id.Key == nil {
		return errNoIdentity
	}
	return nil
}
