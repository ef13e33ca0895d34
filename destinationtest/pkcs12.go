package destinationtest

import (
	"fmt"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// WritePKCS12 writes the identity as a PKCS#12 keystore into tb.TempDir()
// and returns its path. It uses modern algorithms (PBES2, AES-256, SHA-256
// MAC) as keytool does since Java 20, and the chain ends with the root as in
// WriteJKS. go-pkcs12 gives the key entry no friendly name, so Java names
// it "1".
func (id *Identity) WritePKCS12(tb TB, password string) string {
	tb.Helper()
	path, err := id.writePKCS12(tb.TempDir(), password)
	return must(tb, path, err)
}

// WriteTruststorePKCS12 writes a PKCS#12 truststore into tb.TempDir()
// holding the root as the trusted certificate "root", readable by Java, and
// returns its path.
func (ca *CA) WriteTruststorePKCS12(tb TB, password string) string {
	tb.Helper()
	path, err := ca.writeTruststorePKCS12(tb.TempDir(), password)
	return must(tb, path, err)
}

func (id *Identity) writePKCS12(dir, password string) (string, error) {
	if err := id.check(); err != nil {
		return "", fmt.Errorf("destinationtest: write PKCS#12: %w", err)
	}
	chain := id.keystoreChain()
	data, err := pkcs12.Modern.Encode(id.Key, chain[0], chain[1:], password)
	if err != nil {
		return "", fmt.Errorf("destinationtest: encode PKCS#12: %w", err)
	}
	return writeFile(dir, id.aliasOrDefault()+".p12", data)
}

func (ca *CA) writeTruststorePKCS12(dir, password string) (string, error) {
	entries := []pkcs12.TrustStoreEntry{{Cert: ca.root, FriendlyName: TruststoreAlias}}
	data, err := pkcs12.Modern.EncodeTrustStoreEntries(entries, password)
	if err != nil {
		return "", fmt.Errorf("destinationtest: encode PKCS#12 truststore: %w", err)
	}
	return writeFile(dir, "truststore.p12", data)
}
