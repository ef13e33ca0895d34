package keystore_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/internal/keytooltest"

	"github.com/mtlscourier/courier/keystore"
)

// clientPair is the fixtures' RSA client key pair: leaf, intermediate, root.
func clientPair(t *testing.T) *keystore.KeyPair {
	t.Helper()
	kp, err := keystore.LoadKeyPair(fixture("client.p12"), changeit())
	require.NoError(t, err)
	require.Len(t, kp.Chain, 3)
	return kp
}

// selfSignedEC makes a fresh EC key pair with a self-signed certificate.
func selfSignedEC(t *testing.T, cn string) *keystore.KeyPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	now := time.Now()
	kp, err := keystore.SelfSigned(key, pkix.Name{CommonName: cn}, now, now.Add(time.Hour))
	require.NoError(t, err)
	return kp
}

func caCert(t *testing.T) *x509.Certificate {
	t.Helper()
	s, err := keystore.Load(fixture("ca.pem"), nil)
	require.NoError(t, err)
	return s.Certificates()[0]
}

// fingerprint is a certificate's SHA-256 as keytool prints it.
func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func fingerprints(certs []*x509.Certificate) []string {
	out := make([]string, len(certs))
	for i, c := range certs {
		out[i] = fingerprint(c)
	}
	return out
}

func newBuilder(t *testing.T, f keystore.Format) *keystore.Builder {
	t.Helper()
	b, err := keystore.NewBuilder(f)
	require.NoError(t, err)
	return b
}

// writeStore encodes b with password into a temporary file and returns its path.
func writeStore(t *testing.T, b *keystore.Builder, name, password string) string {
	t.Helper()
	data, err := b.Encode([]byte(password))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, keystore.WriteFile(path, data, keystore.CreateOnly))
	return path
}

func TestBuilderJKS(t *testing.T) {
	t.Parallel()
	kp := clientPair(t)
	b := newBuilder(t, keystore.FormatJKS)
	require.NoError(t, b.AddKeyPair("Client", kp, nil))
	require.NoError(t, b.AddTrusted("Root-CA", caCert(t)))
	path := writeStore(t, b, "client.jks", "s3cret-store")

	s, err := keystore.Load(path, []byte("s3cret-store"))
	require.NoError(t, err)
	assert.Equal(t, keystore.FormatJKS, s.Format)
	assert.Equal(t, []string{"client", "root-ca"}, s.Aliases(), "lower-cased as keytool does")
	got, err := s.KeyPair("CLIENT", nil)
	require.NoError(t, err, "the key password is the store password")
	assert.Equal(t, fingerprints(kp.Chain), fingerprints(got.Chain))
	assert.True(t, kp.PrivateKey.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(got.PrivateKey.Public()))

	entries := keytooltest.List(t, path, "s3cret-store")
	assert.Equal(t, []keytooltest.Entry{
		{Alias: "client", Type: "PrivateKeyEntry", Chain: 3, SHA256s: fingerprints(kp.Chain)},
		{Alias: "root-ca", Type: "trustedCertEntry", Chain: 1, SHA256s: fingerprints([]*x509.Certificate{caCert(t)})},
	}, entries)
	// keytool decrypts the key with the store password: the key password is the store password.
	keytooltest.Run(t, "-importkeystore", "-noprompt", "-srckeystore", path, "-srcstorepass", "s3cret-store",
		"-srcalias", "client", "-destkeystore", filepath.Join(t.TempDir(), "copy.p12"), "-deststoretype", "PKCS12",
		"-deststorepass", "copy-pass")
}

func TestBuilderJKSKeyPassword(t *testing.T) {
	t.Parallel()
	kp := selfSignedEC(t, "keypass")
	b := newBuilder(t, keystore.FormatJKS)
	require.NoError(t, b.AddKeyPair("client", kp, []byte("kéy-pass")))
	path := writeStore(t, b, "client.jks", "störe-pass")

	s, err := keystore.Load(path, []byte("störe-pass"))
	require.NoError(t, err, "the store opens with the store password")
	_, err = s.KeyPair("client", nil)
	require.ErrorIs(t, err, keystore.ErrWrongKeyPassword)
	_, err = s.KeyPair("client", []byte("kéy-pass"))
	require.NoError(t, err)

	keytooltest.Run(t, "-J-Dfile.encoding=UTF-8", "-J-Dsun.jnu.encoding=UTF-8", "-importkeystore", "-noprompt",
		"-srckeystore", path, "-srcstorepass", "störe-pass", "-srcalias", "client", "-srckeypass", "kéy-pass",
		"-destkeystore", filepath.Join(t.TempDir(), "copy.jks"), "-deststoretype", "JKS",
		"-deststorepass", "copy-pass", "-destkeypass", "copy-pass")
}

func TestBuilderPKCS12KeyPair(t *testing.T) {
	t.Parallel()
	kp := clientPair(t)
	b := newBuilder(t, keystore.FormatPKCS12)
	require.NoError(t, b.AddKeyPair("Partner-Client", kp, nil))
	path := writeStore(t, b, "client.p12", "p12-pass")

	got, err := keystore.LoadKeyPair(path, []byte("p12-pass"))
	require.NoError(t, err)
	assert.Equal(t, fingerprints(kp.Chain), fingerprints(got.Chain))

	entries := keytooltest.List(t, path, "p12-pass")
	assert.Equal(t, []keytooltest.Entry{
		{Alias: "partner-client", Type: "PrivateKeyEntry", Chain: 3, SHA256s: fingerprints(kp.Chain)},
	}, entries, "the friendly name is the alias (keytool prints PKCS#12 aliases in lower case)")
	keytooltest.Run(t, "-importkeystore", "-noprompt", "-srckeystore", path, "-srcstorepass", "p12-pass",
		"-srcalias", "partner-client", "-destkeystore", filepath.Join(t.TempDir(), "copy.jks"), "-deststoretype", "JKS",
		"-deststorepass", "copy-pass")
}

func TestBuilderPKCS12Truststore(t *testing.T) {
	t.Parallel()
	kp := clientPair(t)
	b := newBuilder(t, keystore.FormatPKCS12)
	require.NoError(t, b.AddTrusted("root", kp.Chain[2]))
	require.NoError(t, b.AddTrusted("intermediate", kp.Chain[1]))
	path := writeStore(t, b, "trust.p12", "p12-pass")

	s, err := keystore.Load(path, []byte("p12-pass"))
	require.NoError(t, err)
	assert.ElementsMatch(t, fingerprints(kp.Chain[1:]), fingerprints(s.Certificates()))

	entries := keytooltest.List(t, path, "p12-pass")
	assert.ElementsMatch(t, []keytooltest.Entry{
		{Alias: "root", Type: "trustedCertEntry", Chain: 1, SHA256s: fingerprints(kp.Chain[2:])},
		{Alias: "intermediate", Type: "trustedCertEntry", Chain: 1, SHA256s: fingerprints(kp.Chain[1:2])},
	}, entries)
}

func TestBuilderPEM(t *testing.T) {
	kp := clientPair(t)
	b := newBuilder(t, keystore.FormatPEM)
	require.NoError(t, b.AddTrusted("a", kp.Chain[1]))
	require.NoError(t, b.AddTrusted("b", kp.Chain[2]))
	data, err := b.Encode(nil)
	require.NoError(t, err)
	s, err := keystore.Parse(data, nil)
	require.NoError(t, err)
	assert.Equal(t, fingerprints(kp.Chain[1:]), fingerprints(s.Certificates()))
}

func TestBuilderErrors(t *testing.T) {
	kp := selfSignedEC(t, "a")
	other := selfSignedEC(t, "b")
	mismatched := &keystore.KeyPair{Chain: other.Chain, PrivateKey: kp.PrivateKey}
	tests := []struct {
		name     string
		format   keystore.Format
		build    func(b *keystore.Builder) error
		password string
		wantErr  error
	}{
		{name: "same alias", format: keystore.FormatJKS, wantErr: keystore.ErrAliasExists, build: func(b *keystore.Builder) error {
			require.NoError(t, b.AddTrusted("CA", kp.Chain[0]))
			return b.AddTrusted("ca", other.Chain[0])
		}},
		{name: "PKCS#12 key pair and trusted", format: keystore.FormatPKCS12, wantErr: keystore.ErrUnsupportedFormat,
			build: func(b *keystore.Builder) error {
				require.NoError(t, b.AddKeyPair("client", kp, nil))
				return b.AddTrusted("ca", other.Chain[0])
			}},
		{name: "PKCS#12 trusted and key pair", format: keystore.FormatPKCS12, wantErr: keystore.ErrUnsupportedFormat,
			build: func(b *keystore.Builder) error {
				require.NoError(t, b.AddTrusted("ca", other.Chain[0]))
				return b.AddKeyPair("client", kp, nil)
			}},
		{name: "PKCS#12 key password", format: keystore.FormatPKCS12, wantErr: keystore.ErrUnsupportedFormat,
			build: func(b *keystore.Builder) error { return b.AddKeyPair("client", kp, []byte("other")) }},
		{name: "PEM key pair", format: keystore.FormatPEM, wantErr: keystore.ErrUnsupportedFormat,
			build: func(b *keystore.Builder) error { return b.AddKeyPair("client", kp, nil) }},
		{name: "key mismatch", format: keystore.FormatJKS, wantErr: keystore.ErrKeyMismatch,
			build: func(b *keystore.Builder) error { return b.AddKeyPair("client", mismatched, nil) }},
		{name: "no key", format: keystore.FormatJKS, wantErr: keystore.ErrNoPrivateKey,
			build: func(b *keystore.Builder) error {
				return b.AddKeyPair("client", &keystore.KeyPair{Chain: kp.Chain}, nil)
			}},
		{name: "JKS empty password", format: keystore.FormatJKS, wantErr: keystore.ErrEmptyPassword,
			build: func(b *keystore.Builder) error { return b.AddKeyPair("client", kp, nil) }},
		{name: "JKS empty key password", format: keystore.FormatJKS, password: "store-pass", wantErr: keystore.ErrEmptyPassword,
			build: func(b *keystore.Builder) error { return b.AddKeyPair("client", kp, []byte{}) }},
		{name: "JKS password beyond Latin-1", format: keystore.FormatJKS, password: "pass-€", wantErr: keystore.ErrPasswordEncoding,
			build: func(b *keystore.Builder) error { return b.AddKeyPair("client", kp, nil) }},
		{name: "PKCS#12 empty password", format: keystore.FormatPKCS12, wantErr: keystore.ErrEmptyPassword,
			build: func(b *keystore.Builder) error { return b.AddTrusted("ca", kp.Chain[0]) }},
		{name: "PKCS#12 password not ASCII", format: keystore.FormatPKCS12, password: "pässword", wantErr: keystore.ErrPasswordEncoding,
			build: func(b *keystore.Builder) error { return b.AddKeyPair("client", kp, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBuilder(t, tt.format)
			err := tt.build(b)
			if err == nil {
				_, err = b.Encode([]byte(tt.password))
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.True(t, strings.HasPrefix(err.Error(), "keystore: "), err.Error())
			if tt.password != "" {
				assert.NotContains(t, err.Error(), tt.password)
			}
		})
	}
}

func TestNewBuilderRefusesOtherFormats(t *testing.T) {
	_, err := keystore.NewBuilder("jceks")
	require.ErrorIs(t, err, keystore.ErrUnsupportedFormat)
}

func TestUniqueAliasAndContains(t *testing.T) {
	kp := clientPair(t)
	b := newBuilder(t, keystore.FormatJKS)
	assert.Equal(t, "cert", b.UniqueAlias(" "))
	assert.Equal(t, "courier-test-root", b.UniqueAlias("Courier-Test-Root"))
	require.NoError(t, b.AddTrusted(b.UniqueAlias("Root"), kp.Chain[2]))
	require.NoError(t, b.AddTrusted(b.UniqueAlias("ROOT"), kp.Chain[1]))
	assert.Equal(t, "root-3", b.UniqueAlias("root"))
	assert.Equal(t, []string{"root", "root-2"}, b.Aliases())
	assert.True(t, b.Has("Root-2"))

	alias, ok := b.Contains(kp.Chain[1])
	assert.True(t, ok)
	assert.Equal(t, "root-2", alias)
	_, ok = b.Contains(kp.Chain[0])
	assert.False(t, ok)

	p12 := newBuilder(t, keystore.FormatPKCS12)
	assert.Equal(t, "Root", p12.UniqueAlias("Root"), "PKCS#12 keeps the case")
}

// copyFixture copies a fixture into a temporary directory, to be edited.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, readFixture(t, name), 0o600))
	return path
}

func TestEditJKSKeepsKeyEntries(t *testing.T) {
	path := copyFixture(t, "client-keypass.jks") // key password keypass1, unknown to Edit
	b, err := keystore.Edit(path, changeit())
	require.NoError(t, err)
	assert.Equal(t, keystore.FormatJKS, b.Format())
	root := caCert(t)
	_, ok := b.Contains(root)
	require.False(t, ok, "the key entry's chain ends with the root, but Java trusts only its leaf")
	require.NoError(t, b.AddTrusted(b.UniqueAlias("partner"), root))
	data, err := b.Encode(changeit())
	require.NoError(t, err)
	require.NoError(t, keystore.WriteFile(path, data, keystore.Replace))

	s, err := keystore.Load(path, changeit(), keystore.WithKeyPassword([]byte("keypass1")))
	require.NoError(t, err)
	assert.Equal(t, []string{"client", "partner"}, s.Aliases())
	_, err = s.KeyPair("client", nil)
	require.NoError(t, err, "the key entry is kept encrypted with its own password")
}

func TestEdit(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		password []byte
		want     []string
		wantErr  error
	}{
		{name: "JKS truststore", file: "trust.jks", password: changeit(), want: []string{"root"}},
		{name: "PKCS#12 truststore keeps its aliases", file: "trust.p12", password: changeit(), want: []string{"root"}},
		{name: "empty PKCS#12", file: "trust-empty.p12", password: changeit(), want: []string{}},
		{name: "PEM bundle", file: "ca.pem", want: []string{"courier-test-root"}},
		{name: "wrong password", file: "trust.jks", password: []byte("wrong"), wantErr: keystore.ErrWrongPassword},
		{name: "no password", file: "trust.jks", password: []byte{}, wantErr: keystore.ErrEmptyPassword},
		{name: "PKCS#12 key store", file: "client.p12", password: changeit(), wantErr: keystore.ErrUnsupportedFormat},
		{name: "JCEKS", file: "client.jceks", password: changeit(), wantErr: keystore.ErrUnsupportedFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := keystore.Edit(fixture(tt.file), tt.password)
			require.ErrorIs(t, err, tt.wantErr)
			if tt.wantErr != nil {
				assert.Contains(t, err.Error(), tt.file, "the error names the file")
				return
			}
			assert.Equal(t, tt.want, b.Aliases())
		})
	}
}

func TestEditPKCS12Truststore(t *testing.T) {
	t.Parallel()
	path := copyFixture(t, "trust.p12")
	b, err := keystore.Edit(path, changeit())
	require.NoError(t, err)
	kp := clientPair(t)
	require.NoError(t, b.AddTrusted(b.UniqueAlias(kp.Chain[1].Subject.CommonName), kp.Chain[1]))
	data, err := b.Encode(changeit())
	require.NoError(t, err)
	require.NoError(t, keystore.WriteFile(path, data, keystore.Replace))

	s, err := keystore.Load(path, changeit())
	require.NoError(t, err)
	assert.ElementsMatch(t, fingerprints(kp.Chain[1:]), fingerprints(s.Certificates()))
	entries := keytooltest.List(t, path, "changeit")
	require.Len(t, entries, 2)
	assert.ElementsMatch(t, []string{"root", "courier-test-intermediate"}, []string{entries[0].Alias, entries[1].Alias},
		"keytool's entry keeps its alias")
}
