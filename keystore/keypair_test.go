package keystore_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

func TestKeyPair(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		password    []byte
		opts        []keystore.Option
		alias       string
		keyPassword []byte
		wantAlias   string
		wantSubject string
		wantChain   []string // subjects' common names, leaf first
		wantKey     any
		wantErr     error
	}{
		{name: "only entry", file: "client-rsa.jks", wantAlias: "client", wantSubject: "courier-client",
			wantChain: []string{"courier-client", "courier-test-intermediate", "courier-test-root"}, wantKey: &rsa.PrivateKey{}},
		{name: "alias upper case", file: "client-rsa.jks", alias: "CLIENT", wantAlias: "client", wantSubject: "courier-client"},
		{name: "alias mixed case", file: "client-multi.jks", alias: "Beta", wantAlias: "beta", wantSubject: "courier-client-beta",
			wantKey: &ecdsa.PrivateKey{}},
		{name: "unknown alias", file: "client-rsa.jks", alias: "nope", wantErr: keystore.ErrAliasNotFound},
		{name: "several keys", file: "client-multi.jks", wantErr: keystore.ErrAmbiguousAlias},
		{name: "truststore", file: "trust.jks", wantErr: keystore.ErrNoPrivateKey},
		{name: "trusted entry by alias", file: "trust.jks", alias: "ROOT", wantErr: keystore.ErrNoPrivateKey},
		{name: "empty truststore", file: "trust-empty.jks", wantErr: keystore.ErrNoPrivateKey},
		{name: "p12 truststore", file: "trust.p12", wantErr: keystore.ErrNoPrivateKey},
		{name: "key password missing", file: "client-keypass.jks", wantErr: keystore.ErrWrongKeyPassword},
		{name: "key password option", file: "client-keypass.jks", opts: []keystore.Option{keystore.WithKeyPassword([]byte("keypass1"))},
			wantAlias: "client", wantSubject: "courier-client-keypass"},
		{name: "key password argument", file: "client-keypass.jks", keyPassword: []byte("keypass1"),
			wantAlias: "client", wantSubject: "courier-client-keypass"},
		{name: "wrong key password argument", file: "client-rsa.jks", keyPassword: []byte("nope"), wantErr: keystore.ErrWrongKeyPassword},
		{name: "key password beyond Latin-1", file: "client-rsa.jks", keyPassword: []byte("€"), wantErr: keystore.ErrPasswordEncoding},
		{name: "JKS without store password", file: "client-rsa.jks", password: []byte{}, wantErr: keystore.ErrWrongKeyPassword},
		{name: "JKS without store password, key password given", file: "client-rsa.jks", password: []byte{}, keyPassword: changeit(),
			wantAlias: "client", wantSubject: "courier-client"},
		{name: "p12 leaf found by its key", file: "client-trusting.p12", wantAlias: "client", wantSubject: "courier-client-trusting",
			wantChain: []string{"courier-client-trusting", "courier-test-intermediate", "courier-test-root"}},
		{name: "p12 alias", file: "client.p12", alias: "CLIENT", wantAlias: "client", wantSubject: "courier-client"},
		{name: "p12 unknown alias", file: "client.p12", alias: "Whatever", wantErr: keystore.ErrAliasNotFound},
		{name: "p12 trusted entry by alias", file: "client-trusting.p12", alias: "root", wantErr: keystore.ErrNoPrivateKey},
		{name: "p12 key password ignored", file: "client.p12", keyPassword: []byte("ignored"), wantAlias: "client", wantSubject: "courier-client"},
		{name: "p12 key password option tried first", file: "client.p12", opts: []keystore.Option{keystore.WithKeyPassword([]byte("other"))},
			wantAlias: "client", wantSubject: "courier-client"},
		{name: "p12 legacy", file: "client-legacy.p12", alias: "Client", wantAlias: "client", wantSubject: "courier-client",
			wantChain: []string{"courier-client", "courier-test-intermediate", "courier-test-root"}},
		{name: "server p12", file: "server.p12", wantAlias: "server", wantSubject: "localhost"},
		{name: "leaf only", file: "client-noint.jks", wantAlias: "client", wantChain: []string{"courier-client-noint"}},
		{name: "Ed25519", file: "client-ed25519.jks", wantAlias: "client-ed", wantKey: ed25519.PrivateKey{}},
		{name: "Latin-1 password", file: "unicode-pass.jks", password: []byte("pässwörd"), wantAlias: "client",
			wantSubject: "courier-client-unicode"},
		{name: "PEM PKCS#1", file: "client.crt", opts: []keystore.Option{keystore.WithKeyFile(fixture("client-rsa1.key"))},
			wantChain: []string{"courier-client", "courier-test-intermediate"}, wantKey: &rsa.PrivateKey{}},
		{name: "PEM SEC1", file: "client-ec.crt", opts: []keystore.Option{keystore.WithKeyFile(fixture("client-ec.key"))},
			wantSubject: "courier-client-ec", wantKey: &ecdsa.PrivateKey{}},
		{name: "PEM Ed25519", file: "client-ed25519.crt", opts: []keystore.Option{keystore.WithKeyFile(fixture("client-ed25519.key"))},
			wantSubject: "courier-client-ed25519", wantKey: ed25519.PrivateKey{}},
		{name: "PEM key of another certificate", file: "client.crt", opts: []keystore.Option{keystore.WithKeyFile(fixture("client-ec.key"))},
			wantErr: keystore.ErrKeyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			password := tt.password
			if password == nil {
				password = changeit()
			}
			s, err := keystore.Load(fixture(tt.file), password, tt.opts...)
			require.NoError(t, err)
			kp, err := s.KeyPair(tt.alias, tt.keyPassword)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), fixture(tt.file))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantAlias, kp.Alias)
			if tt.wantSubject != "" {
				assert.Equal(t, tt.wantSubject, kp.Leaf().Subject.CommonName)
			}
			if tt.wantChain != nil {
				assert.Equal(t, tt.wantChain, commonNames(kp))
			}
			if tt.wantKey != nil {
				assert.IsType(t, tt.wantKey, kp.PrivateKey)
			}
		})
	}
}

func commonNames(kp *keystore.KeyPair) []string {
	var names []string
	for _, c := range kp.Chain {
		names = append(names, c.Subject.CommonName)
	}
	return names
}

func TestKeyPairErrorsListAliases(t *testing.T) {
	s, err := keystore.Load(fixture("client-multi.jks"), changeit())
	require.NoError(t, err)

	_, err = s.KeyPair("", nil)
	require.ErrorIs(t, err, keystore.ErrAmbiguousAlias)
	assert.Contains(t, err.Error(), "alpha")
	assert.Contains(t, err.Error(), "beta")

	_, err = s.KeyPair("gamma", nil)
	require.ErrorIs(t, err, keystore.ErrAliasNotFound)
	assert.Contains(t, err.Error(), `"gamma"`)
	assert.Contains(t, err.Error(), "alpha")
	assert.Contains(t, err.Error(), "beta")
}

func TestWrongPasswordsAreDistinguished(t *testing.T) {
	require.ErrorIs(t, keystore.ErrWrongKeyPassword, keystore.ErrWrongPassword)

	_, err := keystore.LoadKeyPair(fixture("client-keypass.jks"), []byte("wrong-pw"))
	require.ErrorIs(t, err, keystore.ErrWrongPassword)
	assert.NotErrorIs(t, err, keystore.ErrWrongKeyPassword, "the store password is the wrong one")

	_, err = keystore.LoadKeyPair(fixture("client-keypass.jks"), changeit())
	require.ErrorIs(t, err, keystore.ErrWrongKeyPassword, "the store opened: the key password is the wrong one")
	assert.NotContains(t, err.Error(), "changeit")

	_, err = keystore.LoadKeyPair(fixture("client-keypass.jks"), changeit(), keystore.WithKeyPassword([]byte("wrong-key")))
	require.ErrorIs(t, err, keystore.ErrWrongKeyPassword)
	assert.NotContains(t, err.Error(), "wrong-key")
}

func TestLoadKeyPair(t *testing.T) {
	kp, err := keystore.LoadKeyPair(fixture("client-multi.jks"), changeit(), keystore.WithAlias("ALPHA"))
	require.NoError(t, err)
	assert.Equal(t, "alpha", kp.Alias)

	_, err = keystore.LoadKeyPair(fixture("client-multi.jks"), changeit())
	require.ErrorIs(t, err, keystore.ErrAmbiguousAlias)

	_, err = keystore.LoadKeyPair(fixture("no-such.jks"), changeit())
	require.Error(t, err)

	_, err = keystore.LoadKeyPair(fixture("client-multi.jks"), changeit(), keystore.WithFormat("jceks"))
	require.ErrorIs(t, err, keystore.ErrUnsupportedFormat)
}

func TestTLSCertificate(t *testing.T) {
	kp, err := keystore.LoadKeyPair(fixture("client-ec.jks"), changeit())
	require.NoError(t, err)

	c := kp.TLSCertificate()
	require.Len(t, c.Certificate, len(kp.Chain))
	for i, cert := range kp.Chain {
		assert.Equal(t, cert.Raw, c.Certificate[i])
	}
	assert.Same(t, kp.Leaf(), c.Leaf)
	assert.Equal(t, kp.PrivateKey, c.PrivateKey)
	assert.Nil(t, (&keystore.KeyPair{}).Leaf())
}

func TestCheckValidity(t *testing.T) {
	expired, err := keystore.LoadKeyPair(fixture("client-expired.jks"), changeit())
	require.NoError(t, err)
	valid, err := keystore.LoadKeyPair(fixture("client-rsa.jks"), changeit())
	require.NoError(t, err)

	tests := []struct {
		name    string
		kp      *keystore.KeyPair
		now     time.Time
		wantErr error
	}{
		{name: "expired", kp: expired, now: time.Now(), wantErr: keystore.ErrExpired},
		{name: "expired one second after NotAfter", kp: valid, now: valid.Leaf().NotAfter.Add(time.Second), wantErr: keystore.ErrExpired},
		{name: "not yet valid", kp: valid, now: valid.Leaf().NotBefore.Add(-time.Hour), wantErr: keystore.ErrNotYetValid},
		{name: "valid", kp: valid, now: time.Now()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.kp.CheckValidity(tt.now)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var ve *keystore.ValidityError
			require.True(t, errors.As(err, &ve))
			leaf := tt.kp.Leaf()
			assert.Equal(t, leaf.Subject.String(), ve.Subject)
			assert.Equal(t, leaf.NotBefore, ve.NotBefore)
			assert.Equal(t, leaf.NotAfter, ve.NotAfter)
			assert.Contains(t, err.Error(), leaf.NotAfter.UTC().Format("2006-01-02 15:04:05"))
			assert.Contains(t, err.Error(), leaf.NotBefore.UTC().Format("2006-01-02 15:04:05"))
			assert.Regexp(t, `^keystore: `, err.Error())
		})
	}
}

func TestCheckValidityNamesTheIntermediate(t *testing.T) {
	kp, err := keystore.LoadKeyPair(fixture("client-expired.jks"), changeit())
	require.NoError(t, err)

	// The leaf was valid then, but the intermediate that issued it (backdated) was not yet.
	err = kp.CheckValidity(kp.Leaf().NotBefore.Add(time.Hour))
	require.ErrorIs(t, err, keystore.ErrNotYetValid)
	var ve *keystore.ValidityError
	require.True(t, errors.As(err, &ve))
	assert.Equal(t, kp.Chain[1].Subject.String(), ve.Subject)
}
