package destinationtest

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// WritePEM writes the identity into tb.TempDir() as webMethods hands it
// out: the chain (leaf, then intermediates) in one PEM file and the
// unencrypted PKCS#8 private key in another. It returns both paths.
func (id *Identity) WritePEM(tb TB) (certFile, keyFile string) {
	tb.Helper()
	certFile, keyFile, err := id.writePEM(tb.TempDir())
	if err != nil {
		fatal(tb, err)
	}
	return certFile, keyFile
}

// WriteCAPEM writes the root certificate as PEM into tb.TempDir() and
// returns its path: a CA bundle (CAFile) of one.
func (ca *CA) WriteCAPEM(tb TB) string {
	tb.Helper()
	path, err := ca.writeCAPEM(tb.TempDir())
	return must(tb, path, err)
}

func (id *Identity) writePEM(dir string) (certFile, keyFile string, err error) {
	if err := id.check(); err != nil {
		return "", "", fmt.Errorf("destinationtest: write PEM: %w", err)
	}
	var certs []byte
	for _, c := range id.Chain {
		certs = append(certs, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	key, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return "", "", fmt.Errorf("destinationtest: encode private key: %w", err)
	}
	name := id.aliasOrDefault()
	if certFile, err = writeFile(dir, name+".crt", certs); err != nil {
		return "", "", err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})
	if keyFile, err = writeFile(dir, name+".key", keyPEM); err != nil {
		return "", "", err
	}
	return certFile, keyFile, nil
}

func (ca *CA) writeCAPEM(dir string) (string, error) {
	return writeFile(dir, "ca.crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.root.Raw}))
}
