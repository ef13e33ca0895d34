package keystore

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// parsePEM reads certificates and at most one private key, from the data and from the key
// file. With a key, the certificate that matches it starts the key entry's chain; the others
// become trusted entries. Without one, the file is a truststore (a CA bundle).
func parsePEM(data []byte, cfg *config) (*Store, error) {
	certs, keys, err := readPEM(data)
	if err != nil {
		return nil, err
	}
	if keys, err = addKeyFile(keys, cfg); err != nil {
		return nil, err
	}
	switch len(keys) {
	case 0:
		return pemTrustStore(certs), nil
	case 1:
	default:
		return nil, fmt.Errorf("%w: %d private keys in PEM; give one key per certificate chain", ErrAmbiguousAlias, len(keys))
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%w: a PEM private key without its certificate; give the certificate chain too", ErrNoCertificate)
	}
	chain, rest := splitChain(keys[0], certs)
	s := pemTrustStore(rest)
	s.Entries = append([]Entry{{Kind: PrivateKeyEntry, Chain: chain, key: keys[0]}}, s.Entries...)
	return s, nil
}

func pemTrustStore(certs []*x509.Certificate) *Store {
	s := &Store{Format: FormatPEM}
	for _, c := range certs {
		s.Entries = append(s.Entries, Entry{Kind: TrustedCertEntry, Chain: []*x509.Certificate{c}})
	}
	return s
}

// addKeyFile adds the private key of WithKeyFile or WithKeyPEM.
func addKeyFile(keys []crypto.Signer, cfg *config) ([]crypto.Signer, error) {
	data, name := cfg.keyPEM, "the key"
	if cfg.keyFile != "" {
		var err error
		if data, err = readFile(cfg.keyFile); err != nil {
			return nil, fmt.Errorf("key file %s: %w", cfg.keyFile, err)
		}
		name = "key file " + cfg.keyFile
	}
	if data == nil {
		return keys, nil
	}
	_, more, err := readPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(more) == 0 {
		return nil, fmt.Errorf("%w: %s holds no PEM private key", ErrNoPrivateKey, name)
	}
	return append(keys, more...), nil
}

// readPEM returns the certificates and private keys of PEM data, or the certificates of DER data.
// Other PEM blocks (EC PARAMETERS, ...) and text between blocks (openssl's Bag Attributes) are
// skipped; a block that does not decode is an error, so that a truncated file never passes for
// a shorter one.
func readPEM(data []byte) (certs []*x509.Certificate, keys []crypto.Signer, err error) {
	if isDERCertificate(data) {
		if certs, err = x509.ParseCertificates(data); err != nil {
			return nil, nil, corruptf("DER certificate: %v", err)
		}
		return certs, nil, nil
	}
	blocks := 0
	for rest := data; ; blocks++ {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			if bytes.Contains(rest, []byte("-----")) {
				return nil, nil, corruptf("PEM block %d is truncated or malformed", blocks+1)
			}
			break
		}
		if certs, keys, err = addBlock(b, certs, keys); err != nil {
			return nil, nil, err
		}
	}
	if blocks == 0 {
		return nil, nil, corruptf("no PEM block")
	}
	return certs, keys, nil
}

func addBlock(b *pem.Block, certs []*x509.Certificate, keys []crypto.Signer) ([]*x509.Certificate, []crypto.Signer, error) {
	switch {
	case b.Type == "CERTIFICATE":
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, nil, corruptf("PEM certificate %d: %v", len(certs)+1, err)
		}
		certs = append(certs, c)
	case strings.HasSuffix(b.Type, "PRIVATE KEY"):
		k, err := parsePEMKey(b)
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, k)
	}
	return certs, keys, nil
}
