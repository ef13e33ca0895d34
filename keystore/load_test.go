package keystore_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

type wantEntry struct {
	alias string
	kind  keystore.EntryKind
	chain int
}

var (
	key     = keystore.PrivateKeyEntry
	trusted = keystore.TrustedCertEntry
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		password   []byte
		opts       []keystore.Option
		wantFormat keystore.Format
		want       []wantEntry
		wantErr    error
	}{
		{name: "server p12", file: "server.p12", wantFormat: keystore.FormatPKCS12, want: []wantEntry{{"server", key, 3}}},
		{name: "JKS RSA", file: "client-rsa.jks", wantFormat: keystore.FormatJKS, want: []wantEntry{{"client", key, 3}}},
		{name: "JKS EC", file: "client-ec.jks", wantFormat: keystore.FormatJKS, want: []wantEntry{{"client-ec", key, 3}}},
		{name: "JKS Ed25519", file: "client-ed25519.jks", wantFormat: keystore.FormatJKS, want: []wantEntry{{"client-ed", key, 3}}},
		{name: "p12 PBES2", file: "client.p12", wantFormat: keystore.FormatPKCS12, want: []wantEntry{{"client", key, 3}}},
		{name: "p12 with trusted entries", file: "client-trusting.p12", wantFormat: keystore.FormatPKCS12,
			want: []wantEntry{{"client", key, 3}, {"root", trusted, 1}, {"intermediate", trusted, 1}}},
		{name: "p12 legacy: key aliases are not encrypted", file: "client-legacy.p12", wantFormat: keystore.FormatPKCS12,
			want: []wantEntry{{"client", key, 3}}},
		{name: "JKS key password", file: "client-keypass.jks", wantFormat: keystore.FormatJKS, want: []wantEntry{{"client", key, 3}}},
		{name: "JKS two keys", file: "client-multi.jks", wantFormat: keystore.FormatJKS,
			want: []wantEntry{{"alpha", key, 3}, {"beta", key, 3}}},
		{name: "JKS leaf only", file: "client-noint.jks", wantFormat: keystore.FormatJKS, want: []wantEntry{{"client", key, 1}}},
		{name: "JKS expired", file: "client-expired.jks", wantFormat: keystore.FormatJKS, want: []wantEntry{{"client", key, 3}}},
		{name: "JKS rogue", file: "rogue-client.jks", wantFormat: keystore.FormatJKS, want: []wantEntry{{"client", key, 2}}},
		{name: "JKS truststore", file: "trust.jks", wantFormat: keystore.FormatJKS, want: []wantEntry{{"root", trusted, 1}}},
		{name: "p12 truststore", file: "trust.p12", wantFormat: keystore.FormatPKCS12, want: []wantEntry{{"root", trusted, 1}}},
		{name: "JKS rogue truststore", file: "trust-rogue.jks", wantFormat: keystore.FormatJKS, want: []wantEntry{{"rogue", trusted, 1}}},
		{name: "JKS empty", file: "trust-empty.jks", wantFormat: keystore.FormatJKS},
		{name: "JKS Latin-1 password", file: "unicode-pass.jks", password: []byte("pässwörd"), wantFormat: keystore.FormatJKS,
			want: []wantEntry{{"client", key, 1}}},
		{name: "JKS truststore without password", file: "trust.jks", password: []byte{}, wantFormat: keystore.FormatJKS,
			want: []wantEntry{{"root", trusted, 1}}},
		{name: "PEM CA", file: "ca.pem", wantFormat: keystore.FormatPEM, want: []wantEntry{{"", trusted, 1}}},
		{name: "PEM chain without key", file: "client.crt", wantFormat: keystore.FormatPEM,
			want: []wantEntry{{"", trusted, 1}, {"", trusted, 1}}},
		{name: "PEM chain and PKCS#8 key", file: "client.crt", opts: []keystore.Option{keystore.WithKeyFile(fixture("client.key"))},
			wantFormat: keystore.FormatPEM, want: []wantEntry{{"", key, 2}}},
		{name: "PEM bundle", file: "client-bundle.pem", wantFormat: keystore.FormatPEM, want: []wantEntry{{"", key, 2}}},
		{name: "type PKCS12 opens JKS (Java compat)", file: "client-rsa.jks", opts: []keystore.Option{keystore.WithFormat(keystore.FormatPKCS12)},
			wantFormat: keystore.FormatJKS, want: []wantEntry{{"client", key, 3}}},

		{name: "JCEKS", file: "client.jceks", wantErr: keystore.ErrUnsupportedFormat},
		{name: "JKS wrong password", file: "client-rsa.jks", password: []byte("wrong-pw"), wantErr: keystore.ErrWrongPassword},
		{name: "p12 wrong password", file: "client.p12", password: []byte("wrong-pw"), wantErr: keystore.ErrWrongPassword},
		{name: "legacy p12 wrong password", file: "client-legacy.p12", password: []byte("wrong-pw"), wantErr: keystore.ErrWrongPassword},
		{name: "JKS wrong Latin-1 password", file: "unicode-pass.jks", password: []byte("passwort"),
			wantErr: keystore.ErrWrongPassword},
		{name: "JKS password beyond Latin-1", file: "unicode-pass.jks", password: []byte("pässwörd€"), wantErr: keystore.ErrPasswordEncoding},
		{name: "JKS password not UTF-8", file: "unicode-pass.jks", password: []byte("p\xe4ssw\xf6rd"), wantErr: keystore.ErrPasswordEncoding},
		{name: "p12 password not UTF-8", file: "client.p12", password: []byte("\xff"), wantErr: keystore.ErrPasswordEncoding},
		{name: "missing file", file: "no-such.jks", wantErr: fs.ErrNotExist},
		{name: "PEM encrypted key", file: "client.crt", opts: []keystore.Option{keystore.WithKeyFile(fixture("client-encrypted.key"))},
			wantErr: keystore.ErrUnsupportedFormat},
		{name: "PEM key without certificate", file: "client.key", wantErr: keystore.ErrNoCertificate},
		{name: "PEM key file without key", file: "client.crt", opts: []keystore.Option{keystore.WithKeyFile(fixture("ca.pem"))},
			wantErr: keystore.ErrNoPrivateKey},
		{name: "PEM two keys", file: "client-bundle.pem", opts: []keystore.Option{keystore.WithKeyFile(fixture("client.key"))},
			wantErr: keystore.ErrAmbiguousAlias},
		{name: "missing key file", file: "client.crt", opts: []keystore.Option{keystore.WithKeyFile(fixture("no-such.key"))},
			wantErr: fs.ErrNotExist},
		{name: "type PEM on JKS", file: "client-rsa.jks", opts: []keystore.Option{keystore.WithFormat(keystore.FormatPEM)},
			wantErr: keystore.ErrUnsupportedFormat},
		{name: "not a keystore", file: "README.md", wantErr: keystore.ErrUnsupportedFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			password := tt.password
			if password == nil {
				password = changeit()
			}
			s, err := keystore.Load(fixture(tt.file), password, tt.opts...)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), "keystore: open "+fixture(tt.file)+": ")
				assert.NotContains(t, err.Error(), string(password))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantFormat, s.Format)
			assert.Equal(t, tt.want, entries(s))
		})
	}
}

// entries summarises a store's entries for comparison.
func entries(s *keystore.Store) []wantEntry {
	var got []wantEntry
	for _, e := range s.Entries {
		got = append(got, wantEntry{e.Alias, e.Kind, len(e.Chain)})
	}
	return got
}

func TestLoadCreated(t *testing.T) {
	s, err := keystore.Load(fixture("client-keypass.jks"), changeit())
	require.NoError(t, err)
	// The key entry's own password is not given: its date still comes from the file.
	assert.False(t, s.Entries[0].Created.IsZero())
	assert.WithinDuration(t, s.Entries[0].Chain[0].NotBefore, s.Entries[0].Created, 24*60*60*1e9)

	p12, err := keystore.Load(fixture("client.p12"), changeit())
	require.NoError(t, err)
	assert.True(t, p12.Entries[0].Created.IsZero(), "PKCS#12 has no creation date")
}

func TestReadAndParseAgree(t *testing.T) {
	data := readFixture(t, "client-rsa.jks")
	parsed, err := keystore.Parse(data, changeit())
	require.NoError(t, err)
	read, err := keystore.Read(bytesReader(data), changeit())
	require.NoError(t, err)
	assert.Equal(t, entries(parsed), entries(read))

	_, err = keystore.Parse(data, []byte("wrong-pw"))
	require.ErrorIs(t, err, keystore.ErrWrongPassword)
	assert.Regexp(t, `^keystore: wrong password: `, err.Error())
}

func TestReadTooLarge(t *testing.T) {
	_, err := keystore.Read(&zeroReader{n: 16<<20 + 1}, changeit())
	require.ErrorIs(t, err, keystore.ErrCorrupt)
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := keystore.Read(errReader{boom}, changeit())
	require.ErrorIs(t, err, boom)
}

func TestLoadKeyFileOnlyForPEM(t *testing.T) {
	_, err := keystore.Load(fixture("client-rsa.jks"), changeit(), keystore.WithKeyFile(fixture("client.key")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PEM")
}
