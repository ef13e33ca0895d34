package destinationtest_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"regexp"
	"testing"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/mtlscourier/courier/destinationtest"
)

const password = "changeit"

// loadJKS reads a JKS file with keystore-go; password must be Latin-1.
func loadJKS(t *testing.T, path string, password []byte) jks.KeyStore {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	ks := jks.New()
	require.NoError(t, ks.Load(f, password))
	return ks
}

// jksIdentity reads the key entry alias from a JKS file.
func jksIdentity(t *testing.T, path, alias string, password []byte) (key any, chain []*x509.Certificate) {
	t.Helper()
	entry, err := loadJKS(t, path, password).GetPrivateKeyEntry(alias, password)
	require.NoError(t, err)
	key, err = x509.ParsePKCS8PrivateKey(entry.PrivateKey)
	require.NoError(t, err)
	for _, c := range entry.CertificateChain {
		cert, err := x509.ParseCertificate(c.Content)
		require.NoError(t, err)
		chain = append(chain, cert)
	}
	return key, chain
}

func TestWriteJKS(t *testing.T) {
	ca := destinationtest.NewCA(t)
	tests := []struct {
		name      string
		id        *destinationtest.Identity
		alias     string
		password  string
		wantChain int
	}{
		{name: "client", id: ca.IssueClient(t, "c"), alias: "client", password: password, wantChain: 3},
		{name: "server", id: ca.IssueServer(t), alias: "server", password: password, wantChain: 3},
		{name: "leaf only", id: ca.IssueClient(t, "c").LeafOnly(), alias: "client", password: password, wantChain: 1},
		{name: "Ed25519", id: ca.IssueClient(t, "c", destinationtest.KeyType(destinationtest.KeyEd25519)),
			alias: "client", password: password, wantChain: 3},
		{name: "Latin-1 password", id: ca.IssueClient(t, "c"), alias: "client", password: "pässwörd", wantChain: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.id.WriteJKS(t, tt.password)
			latin1 := []byte{}
			for _, r := range tt.password {
				latin1 = append(latin1, byte(r))
			}
			key, chain := jksIdentity(t, path, tt.alias, latin1)
			assert.Equal(t, tt.id.Key, key)
			require.Len(t, chain, tt.wantChain)
			for i, c := range tt.id.Chain {
				assert.True(t, c.Equal(chain[i]), "certificate %d", i)
			}
			if tt.wantChain > len(tt.id.Chain) {
				assert.True(t, ca.Root().Equal(chain[len(chain)-1]), "the chain ends with the root, as keytool stores it")
			}
			info, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		})
	}
}

func TestWriteJKSRefusesNonLatin1Password(t *testing.T) {
	id := destinationtest.NewCA(t).IssueClient(t, "c")
	err := destinationtest.Run(func(tb destinationtest.TB) error {
		id.WriteJKS(tb, "pass€")
		return nil
	})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "€", "no part of a password in errors")
}

func TestWriteTruststoreJKS(t *testing.T) {
	ca := destinationtest.NewCA(t)
	ks := loadJKS(t, ca.WriteTruststoreJKS(t, password), []byte(password))
	assert.Equal(t, []string{destinationtest.TruststoreAlias}, ks.Aliases())
	entry, err := ks.GetTrustedCertificateEntry(destinationtest.TruststoreAlias)
	require.NoError(t, err)
	assert.Equal(t, ca.Root().Raw, entry.Certificate.Content)
}

func TestWritePKCS12(t *testing.T) {
	ca := destinationtest.NewCA(t)
	id := ca.IssueClient(t, "c")
	data, err := os.ReadFile(id.WritePKCS12(t, password))
	require.NoError(t, err)
	key, leaf, caCerts, err := pkcs12.DecodeChain(data, password)
	require.NoError(t, err)
	assert.Equal(t, id.Key, key)
	assert.True(t, id.Leaf().Equal(leaf))
	require.Len(t, caCerts, 2)
	assert.True(t, ca.Intermediate().Equal(caCerts[0]))
	assert.True(t, ca.Root().Equal(caCerts[1]))

	_, _, _, err = pkcs12.DecodeChain(data, "wrong")
	require.ErrorIs(t, err, pkcs12.ErrIncorrectPassword)
}

func TestWriteTruststorePKCS12(t *testing.T) {
	ca := destinationtest.NewCA(t)
	data, err := os.ReadFile(ca.WriteTruststorePKCS12(t, password))
	require.NoError(t, err)
	certs, err := pkcs12.DecodeTrustStore(data, password)
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.True(t, ca.Root().Equal(certs[0]))
}

func TestWritePEM(t *testing.T) {
	ca := destinationtest.NewCA(t)
	for _, key := range []destinationtest.KeyAlgorithm{destinationtest.KeyECDSA, destinationtest.KeyEd25519} {
		t.Run(key.String(), func(t *testing.T) {
			id := ca.IssueClient(t, "c", destinationtest.KeyType(key))
			certFile, keyFile := id.WritePEM(t)
			pair, err := tls.LoadX509KeyPair(certFile, keyFile)
			require.NoError(t, err)
			require.Len(t, pair.Certificate, 2, "leaf and intermediate, no root")
			assert.Equal(t, id.Leaf().Raw, pair.Certificate[0])
			assert.Equal(t, ca.Intermediate().Raw, pair.Certificate[1])
			assert.Equal(t, id.Key, pair.PrivateKey)

			keyPEM, err := os.ReadFile(keyFile)
			require.NoError(t, err)
			block, _ := pem.Decode(keyPEM)
			require.NotNil(t, block)
			assert.Equal(t, "PRIVATE KEY", block.Type, "PKCS#8")
		})
	}
}

func TestWriteCAPEM(t *testing.T) {
	ca := destinationtest.NewCA(t)
	data, err := os.ReadFile(ca.WriteCAPEM(t))
	require.NoError(t, err)
	block, rest := pem.Decode(data)
	require.NotNil(t, block)
	assert.Empty(t, bytes.TrimSpace(rest))
	assert.Equal(t, ca.Root().Raw, block.Bytes)
}

func TestWriteInvalidIdentity(t *testing.T) {
	writers := map[string]func(tb destinationtest.TB, id *destinationtest.Identity){
		"JKS":    func(tb destinationtest.TB, id *destinationtest.Identity) { id.WriteJKS(tb, password) },
		"PKCS12": func(tb destinationtest.TB, id *destinationtest.Identity) { id.WritePKCS12(tb, password) },
		"PEM":    func(tb destinationtest.TB, id *destinationtest.Identity) { id.WritePEM(tb) },
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			err := destinationtest.Run(func(tb destinationtest.TB) error {
				write(tb, &destinationtest.Identity{})
				return nil
			})
			require.Error(t, err)
		})
	}
}

// TestKeytoolReadsFiles checks the files with Java's own keytool.
func TestKeytoolReadsFiles(t *testing.T) {
	if _, err := exec.LookPath("keytool"); err != nil {
		t.Skip("keytool is not on PATH")
	}
	ca := destinationtest.NewCA(t)
	id := ca.IssueClient(t, "c")
	tests := []struct {
		name  string
		path  string
		entry *regexp.Regexp
	}{
		{name: "JKS keystore", path: id.WriteJKS(t, password),
			entry: regexp.MustCompile(`(?m)^client, .*PrivateKeyEntry`)},
		// go-pkcs12 writes no friendly name, so Java numbers the entry.
		{name: "PKCS12 keystore", path: id.WritePKCS12(t, password),
			entry: regexp.MustCompile(`(?m)^1, .*PrivateKeyEntry`)},
		{name: "JKS truststore", path: ca.WriteTruststoreJKS(t, password),
			entry: regexp.MustCompile(`(?m)^root, .*trustedCertEntry`)},
		{name: "PKCS12 truststore", path: ca.WriteTruststorePKCS12(t, password),
			entry: regexp.MustCompile(`(?m)^root, .*trustedCertEntry`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command("keytool", "-list", "-keystore", tt.path, "-storepass", password).CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Regexp(t, tt.entry, string(out))
		})
	}
}

// TestKeytoolDecryptsKeys has keytool copy each key entry into a new
// store, which decrypts the key with the store password as Java does.
func TestKeytoolDecryptsKeys(t *testing.T) {
	if _, err := exec.LookPath("keytool"); err != nil {
		t.Skip("keytool is not on PATH")
	}
	ca := destinationtest.NewCA(t)
	ec := ca.IssueClient(t, "ec")
	ed := ca.IssueClient(t, "ed", destinationtest.KeyType(destinationtest.KeyEd25519))
	tests := []struct {
		name     string
		path     string
		destType string
	}{
		{name: "JKS EC", path: ec.WriteJKS(t, password), destType: "PKCS12"},
		{name: "JKS Ed25519", path: ed.WriteJKS(t, password), destType: "PKCS12"},
		{name: "PKCS12 EC", path: ec.WritePKCS12(t, password), destType: "JKS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dest := t.TempDir() + "/copy"
			out, err := exec.Command("keytool", "-importkeystore", "-noprompt",
				"-srckeystore", tt.path, "-srcstorepass", password,
				"-destkeystore", dest, "-deststorepass", password, "-deststoretype", tt.destType).CombinedOutput()
			require.NoError(t, err, "%s", out)
			info, err := os.Stat(dest)
			require.NoError(t, err)
			assert.Positive(t, info.Size())
		})
	}
}
