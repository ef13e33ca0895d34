package main

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/internal/keytooltest"
	"github.com/mtlscourier/courier/keystore"
)

// sourceChain is the chain of a fixture's key entry.
func sourceChain(t *testing.T, name, alias string, opts ...keystore.Option) []*x509.Certificate {
	t.Helper()
	s, err := keystore.Load(fixtures+name, []byte("changeit"), opts...)
	require.NoError(t, err)
	kp, err := s.KeyPair(alias, nil)
	require.NoError(t, err)
	return kp.Chain
}

func TestKeystoreImportPair(t *testing.T) {
	changeit, pf, kpf := passFile(t, "changeit"), passFile(t, secret), passFile(t, "other-key-pass")
	p12Chain := sourceChain(t, "client.p12", "")
	tests := []struct {
		name       string
		args       []string
		to         string
		want       []*x509.Certificate // the chain the new entry must hold
		keyPass    string              // the new entry's key password
		wantFormat keystore.Format
		keytool    bool // check with the real keytool too
	}{
		{name: "PKCS#12 to JKS", want: p12Chain, to: "client.jks", wantFormat: keystore.FormatJKS, keytool: true,
			args: []string{"--from", fixtures + "client.p12", "--from-pass-file", changeit}},
		{name: "PEM certificate and key to PKCS#12", want: p12Chain[:2], to: "client.p12", wantFormat: keystore.FormatPKCS12, keytool: true,
			args: []string{"--from", fixtures + "client.crt", "--key", fixtures + "client.key", "--type", "pkcs12"}},
		{name: "one PEM file to JKS", want: p12Chain[:2], to: "client.jks", wantFormat: keystore.FormatJKS,
			args: []string{"--from", fixtures + "client-bundle.pem"}},
		{name: "JKS with a key password, to a JKS with another", to: "client.jks", wantFormat: keystore.FormatJKS,
			want:    sourceChain(t, "client-keypass.jks", "", keystore.WithKeyPassword([]byte("keypass1"))),
			keyPass: "other-key-pass", keytool: true,
			args: []string{"--from", fixtures + "client-keypass.jks", "--from-pass-file", changeit,
				"--from-key-pass-file", passFile(t, "keypass1"), "--key-pass-file", kpf}},
		{name: "one of several key entries", want: sourceChain(t, "client-multi.jks", "beta"), to: "beta.jks",
			wantFormat: keystore.FormatJKS,
			args:       []string{"--from", fixtures + "client-multi.jks", "--from-pass-file", changeit, "--from-alias", "BETA"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			to := filepath.Join(t.TempDir(), tt.to)
			args := append([]string{"import-pair", "--to", to, "--alias", "Partner-Client", "--pass-file", pf}, tt.args...)
			code, stdout, stderr := runKeystore(t, args...)
			require.Equal(t, exitOK, code, stderr)
			assert.Contains(t, stdout, "Wrote "+to)
			assertPrivateFile(t, to)

			keyPass := tt.keyPass
			if keyPass == "" {
				keyPass = secret
			}
			s, err := keystore.Load(to, []byte(secret), keystore.WithKeyPassword([]byte(keyPass)))
			require.NoError(t, err)
			assert.Equal(t, tt.wantFormat, s.Format)
			kp, err := s.KeyPair("partner-client", nil)
			require.NoError(t, err)
			assert.Equal(t, fingerprintsOf(tt.want), fingerprintsOf(kp.Chain))
			if tt.wantFormat == keystore.FormatJKS {
				assert.Equal(t, []string{"partner-client"}, s.Aliases())
			}

			if !tt.keytool {
				return
			}
			assert.Equal(t, []keytooltest.Entry{{Alias: "partner-client", Type: "PrivateKeyEntry", Chain: len(tt.want), SHA256s: fingerprintsOf(tt.want)}},
				keytooltest.List(t, to, secret))
			keytoolReadsKey(t, to, secret, "partner-client", keyPass)
		})
	}
}

func TestKeystoreImportPairErrors(t *testing.T) {
	changeit, pf := passFile(t, "changeit"), passFile(t, secret)
	tests := []struct {
		name     string
		args     []string
		existing bool
		wantErr  string
	}{
		{name: "wrong password of --from", wantErr: "wrong password",
			args: []string{"--from", fixtures + "client.p12", "--from-pass-file", pf}},
		{name: "no password of --from", wantErr: "--from-pass-env VAR or --from-pass-file FILE",
			args: []string{"--from", fixtures + "client.p12"}},
		{name: "refuses to overwrite", existing: true, wantErr: "--force",
			args: []string{"--from", fixtures + "client.p12", "--from-pass-file", changeit}},
		{name: "key password in PKCS#12", wantErr: "one password",
			args: []string{"--from", fixtures + "client.p12", "--from-pass-file", changeit, "--type", "pkcs12", "--key-pass-file", pf}},
		{name: "key of another certificate", wantErr: "does not match",
			args: []string{"--from", fixtures + "client.crt", "--key", fixtures + "client-ec.key"}},
		{name: "several key entries", wantErr: "several key entries",
			args: []string{"--from", fixtures + "client-multi.jks", "--from-pass-file", changeit}},
		{name: "a truststore", wantErr: "no private key",
			args: []string{"--from", fixtures + "trust.jks", "--from-pass-file", changeit}},
		{name: "no such file", wantErr: "no such file",
			args: []string{"--from", fixtures + "missing.p12", "--from-pass-file", changeit}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := filepath.Join(t.TempDir(), "client.jks")
			if tt.existing {
				require.NoError(t, os.WriteFile(to, []byte("old"), 0o600))
			}
			args := append([]string{"import-pair", "--to", to, "--alias", "client", "--pass-file", pf}, tt.args...)
			code, stdout, stderr := runKeystore(t, args...)
			require.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.wantErr)
			data, err := os.ReadFile(to)
			if tt.existing {
				require.NoError(t, err)
				assert.Equal(t, "old", string(data))
			} else {
				assert.ErrorIs(t, err, os.ErrNotExist)
			}
		})
	}
}
