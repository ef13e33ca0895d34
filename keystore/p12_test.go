package keystore_test

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

// TestPKCS12KeyAlias picks key entries of keytool PKCS#12 files by alias, as Java does:
// case-insensitively, with the aliases keytool lists.
func TestPKCS12KeyAlias(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		alias     string
		wantAlias string
		wantChain []string
		wantErr   error
		wantNames []string // aliases the error lists
	}{
		{name: "first of two", file: "client-two.p12", alias: "alpha", wantAlias: "alpha",
			wantChain: []string{"courier-client-alpha", "courier-two-ca"}},
		{name: "second of two, upper case", file: "client-two.p12", alias: "BETA", wantAlias: "beta",
			wantChain: []string{"courier-client-beta", "courier-two-ca"}},
		{name: "two without an alias", file: "client-two.p12", wantErr: keystore.ErrAmbiguousAlias, wantNames: []string{"alpha", "beta"}},
		{name: "unknown alias", file: "client-two.p12", alias: "gamma", wantErr: keystore.ErrAliasNotFound,
			wantNames: []string{"alpha", "beta", "two-ca"}},
		{name: "trusted entry", file: "client-two.p12", alias: "Two-CA", wantErr: keystore.ErrNoPrivateKey},
		{name: "mixed-case alias as typed", file: "client-mixedcase.p12", alias: "MyClient", wantAlias: "myclient",
			wantChain: []string{"courier-client-mixedcase"}},
		{name: "wrong alias names the real one", file: "client-mixedcase.p12", alias: "client", wantErr: keystore.ErrAliasNotFound,
			wantNames: []string{"myclient"}},
		{name: "the only key without an alias", file: "client-mixedcase.p12", wantAlias: "myclient",
			wantChain: []string{"courier-client-mixedcase"}},
		{name: "wrong alias in a legacy file", file: "client-legacy.p12", alias: "server", wantErr: keystore.ErrAliasNotFound,
			wantNames: []string{"client"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := keystore.Load(fixture(tt.file), changeit())
			require.NoError(t, err)
			kp, err := s.KeyPair(tt.alias, nil)
			require.ErrorIs(t, err, tt.wantErr)
			for _, name := range tt.wantNames {
				assert.Contains(t, err.Error(), name, "the error lists the aliases there are")
			}
			if tt.wantErr != nil {
				return
			}
			assert.Equal(t, tt.wantAlias, kp.Alias)
			assert.Equal(t, tt.wantChain, commonNames(kp))
			cert := kp.TLSCertificate()
			assert.Equal(t, kp.Chain[0].Raw, cert.Certificate[0], "TLS sends the chosen entry's certificate")
			assert.True(t, kp.Chain[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(kp.PrivateKey.Public()),
				"with the chosen entry's key")
		})
	}
}

// TestPKCS12KeyAliasTLS has a server that trusts only courier-two-ca tell which client
// certificate each alias of client-two.p12 sends, in a real handshake.
func TestPKCS12KeyAliasTLS(t *testing.T) {
	s, err := keystore.Load(fixture("client-two.p12"), changeit())
	require.NoError(t, err)
	caPool := x509.NewCertPool()
	for _, e := range s.Entries {
		if e.Kind == keystore.TrustedCertEntry {
			caPool.AddCert(e.Chain[0])
		}
	}
	roots, err := keystore.LoadCertPool(fixture("ca.pem"), nil)
	require.NoError(t, err)
	for _, alias := range []string{"alpha", "beta"} {
		t.Run(alias, func(t *testing.T) {
			kp, err := s.KeyPair(alias, nil)
			require.NoError(t, err)
			server := serverConfig(t)
			server.ClientCAs = caPool
			var got string // set in the server's handshake, read after handshake returns
			server.VerifyConnection = func(cs tls.ConnectionState) error {
				got = cs.PeerCertificates[0].Subject.CommonName
				return nil
			}
			client := &tls.Config{RootCAs: roots, ServerName: "localhost", Certificates: []tls.Certificate{kp.TLSCertificate()}}
			require.NoError(t, handshake(t, server, client))
			assert.Equal(t, "courier-client-"+alias, got)
		})
	}
}

// TestPKCS12Entries lists keytool PKCS#12 files with their aliases.
func TestPKCS12Entries(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []wantEntry
	}{
		{name: "two key entries and their CA", file: "client-two.p12",
			want: []wantEntry{{"alpha", key, 2}, {"beta", key, 2}, {"two-ca", trusted, 1}}},
		{name: "mixed case lower-cased as Java lists it", file: "client-mixedcase.p12",
			want: []wantEntry{{"myclient", key, 1}, {"partnerca", trusted, 1}}},
		{name: "empty", file: "trust-empty.p12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := keystore.Load(fixture(tt.file), changeit())
			require.NoError(t, err)
			assert.Equal(t, keystore.FormatPKCS12, s.Format)
			assert.Equal(t, tt.want, entries(s))
		})
	}
}

// TestPKCS12Empty opens keytool's empty PKCS#12 store (an entry made, then deleted): a store
// with no entries, not an unsupported file.
func TestPKCS12Empty(t *testing.T) {
	s, err := keystore.Load(fixture("trust-empty.p12"), changeit())
	require.NoError(t, err)
	assert.Empty(t, s.Entries)
	_, err = s.CertPool()
	require.ErrorIs(t, err, keystore.ErrEmptyTruststore)
	_, err = s.KeyPair("", nil)
	require.ErrorIs(t, err, keystore.ErrNoPrivateKey)
	_, err = keystore.LoadCertPool(fixture("trust-empty.p12"), changeit())
	require.ErrorIs(t, err, keystore.ErrEmptyTruststore)
}

func TestPKCS12Errors(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		password []byte
		wantErr  error
	}{
		{name: "two keys, wrong password", file: "client-two.p12", password: []byte("wrong-pw"), wantErr: keystore.ErrWrongPassword},
		{name: "empty, wrong password", file: "trust-empty.p12", password: []byte("wrong-pw"), wantErr: keystore.ErrWrongPassword},
		{name: "two keys, truncated", file: "client-two.p12", wantErr: keystore.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := readFixture(t, tt.file)
			if tt.password == nil {
				tt.password, data = changeit(), data[:len(data)-40]
			}
			_, err := keystore.Parse(data, tt.password)
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}
