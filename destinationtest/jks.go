package destinationtest

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
)

// TruststoreAlias is the alias of the root's trustedCertEntry in truststores.
const TruststoreAlias = "root"

// WriteJKS writes the identity as a JKS keystore into tb.TempDir() and
// returns its path. The key entry is named "client" (or "server" for a
// server identity) and its password is the store password, as NEO assumes.
// Its chain ends with the root, as keytool stores an imported CA reply.
func (id *Identity) WriteJKS(tb TB, password string) string {
	tb.Helper()
	path, err := id.writeJKS(tb.TempDir(), password)
	return must(tb, path, err)
}

// WriteTruststoreJKS writes a JKS truststore into tb.TempDir() holding the
// root as the trustedCertEntry "root", and returns its path.
func (ca *CA) WriteTruststoreJKS(tb TB, password string) string {
	tb.Helper()
	path, err := ca.writeTruststoreJKS(tb.TempDir(), password)
	return must(tb, path, err)
}

func (id *Identity) writeJKS(dir, password string) (string, error) {
	if err := id.check(); err != nil {
		return "", fmt.Errorf("destinationtest: write JKS: %w", err)
	}
	pw, err := javaPassword(password)
	if err != nil {
		return "", err
	}
	key, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return "", fmt.Errorf("destinationtest: encode private key: %w", err)
	}
	entry := jks.PrivateKeyEntry{CreationTime: time.Now(), PrivateKey: key}
	for _, c := range id.keystoreChain() {
		entry.CertificateChain = append(entry.CertificateChain, jksCertificate(c))
	}
	ks := jks.New()
	if err := ks.SetPrivateKeyEntry(id.aliasOrDefault(), entry, pw); err != nil {
		return "", fmt.Errorf("destinationtest: JKS key entry: %w", err)
	}
	return storeJKS(ks, dir, id.aliasOrDefault()+".jks", pw)
}

func (ca *CA) writeTruststoreJKS(dir, password string) (string, error) {
	pw, err := javaPassword(password)
	if err != nil {
		return "", err
	}
	ks := jks.New()
	entry := jks.TrustedCertificateEntry{CreationTime: time.Now(), Certificate: jksCertificate(ca.root)}
	if err := ks.SetTrustedCertificateEntry(TruststoreAlias, entry); err != nil {
		return "", fmt.Errorf("destinationtest: JKS trusted entry: %w", err)
	}
	return storeJKS(ks, dir, "truststore.jks", pw)
}

func storeJKS(ks jks.KeyStore, dir, name string, pw []byte) (string, error) {
	var buf bytes.Buffer
	if err := ks.Store(&buf, pw); err != nil {
		return "", fmt.Errorf("destinationtest: encode %s: %w", name, err)
	}
	return writeFile(dir, name, buf.Bytes())
}

func jksCertificate(c *x509.Certificate) jks.Certificate {
	return jks.Certificate{Type: "X.509", Content: c.Raw}
}

// javaPassword encodes password as JKS does: one Java char per rune, which
// keystore-go takes as one byte each, so only Latin-1 fits.
func javaPassword(password string) ([]byte, error) {
	b := make([]byte, 0, len(password))
	for _, r := range password {
		if r > 0xFF {
			// The character stays out of the message: it is part of a password.
			return nil, errors.New("destinationtest: JKS password has a character beyond Latin-1, which keystore-go cannot encode: use Latin-1 characters or PKCS#12")
		}
		b = append(b, byte(r))
	}
	return b, nil
}
