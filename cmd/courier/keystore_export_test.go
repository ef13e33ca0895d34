package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/internal/keytooltest"
	"github.com/mtlscourier/courier/keystore"
)

func TestKeystoreExport(t *testing.T) {
	changeit := passFile(t, "changeit")
	rsaChain := sourceChain(t, "client-rsa.jks", "client")
	p12Chain := sourceChain(t, "client.p12", "")
	trustingChain := sourceChain(t, "client-trusting.p12", "")
	betaChain := sourceChain(t, "client-two.p12", "beta")
	require.Equal(t, "courier-client-beta", betaChain[0].Subject.CommonName)
	root, err := keystore.Load(fixtures+"ca.pem", nil)
	require.NoError(t, err)
	tests := []struct {
		name string
		args []string
		want []string // fingerprints
	}{
		{name: "key entry's certificate", want: fingerprintsOf(rsaChain[:1]),
			args: []string{fixtures + "client-rsa.jks", "--alias", "CLIENT", "--pass-file", changeit}},
		{name: "key entry's chain", want: fingerprintsOf(rsaChain),
			args: []string{fixtures + "client-rsa.jks", "--alias", "client", "--chain", "--pass-file", changeit}},
		{name: "the only key entry of a PKCS#12", want: fingerprintsOf(trustingChain),
			args: []string{fixtures + "client-trusting.p12", "--chain", "--pass-file", changeit}},
		{name: "a trusted certificate by alias", want: fingerprintsOf(root.Certificates()),
			args: []string{fixtures + "trust.jks", "--alias", "root", "--pass-file", changeit}},
		{name: "a PKCS#12 key entry by alias", want: fingerprintsOf(betaChain),
			args: []string{fixtures + "client-two.p12", "--alias", "BETA", "--chain", "--pass-file", changeit}},
		{name: "a PKCS#12 trusted certificate by alias", want: fingerprintsOf(root.Certificates()),
			args: []string{fixtures + "client-trusting.p12", "--alias", "Root", "--pass-file", changeit}},
		{name: "a PKCS#12 trusted certificate by common name", want: fingerprintsOf(root.Certificates()),
			args: []string{fixtures + "client-trusting.p12", "--alias", "courier-test-root", "--pass-file", changeit}},
		{name: "PEM needs no password", want: fingerprintsOf(p12Chain[:2]),
			args: []string{fixtures + "client-bundle.pem", "--chain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.pem")
			code, stdout, stderr := runKeystore(t, append([]string{"export", "--out", out}, tt.args...)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Empty(t, stdout)
			assertPrivateFile(t, out)
			s, err := keystore.Load(out, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, fingerprintsOf(s.Certificates()), "round trip to the same certificates, in order")

			code, stdout, stderr = runKeystore(t, append([]string{"export"}, tt.args...)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Equal(t, readFile(t, out), []byte(stdout), "without --out, the same PEM on stdout")
		})
	}
}

func TestKeystoreExportErrors(t *testing.T) {
	changeit := passFile(t, "changeit")
	tests := []struct {
		name     string
		args     []string
		existing bool
		wantErr  string
	}{
		{name: "refuses to overwrite", existing: true, wantErr: "--force",
			args: []string{fixtures + "client-rsa.jks", "--pass-file", changeit}},
		{name: "unknown alias", wantErr: "no entry \"nobody\"; the store has: client (PrivateKeyEntry)",
			args: []string{fixtures + "client-rsa.jks", "--alias", "nobody", "--pass-file", changeit}},
		{name: "ambiguous", wantErr: "give --alias",
			args: []string{fixtures + "client-multi.jks", "--pass-file", changeit}},
		{name: "wrong password", wantErr: "wrong password",
			args: []string{fixtures + "client-rsa.jks", "--pass-file", passFile(t, secret)}},
		{name: "no password", wantErr: "--pass-env VAR or --pass-file FILE",
			args: []string{fixtures + "client-rsa.jks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.pem")
			if tt.existing {
				require.NoError(t, os.WriteFile(out, []byte("old"), 0o600))
			}
			code, _, stderr := runKeystore(t, append([]string{"export", "--out", out}, tt.args...)...)
			require.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tt.wantErr)
			if tt.existing {
				assert.Equal(t, "old", string(readFile(t, out)))
			} else {
				assert.NoFileExists(t, out)
			}
		})
	}
}

func TestKeystoreExportForce(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.pem")
	require.NoError(t, os.WriteFile(out, []byte("old"), 0o644))
	code, _, stderr := runKeystore(t, "export", fixtures+"ca.pem", "--out", out, "--force")
	require.Equal(t, exitOK, code, stderr)
	s, err := keystore.Load(out, nil)
	require.NoError(t, err)
	assert.Equal(t, "CN=courier-test-root", s.Certificates()[0].Subject.String())
	assertPrivateFile(t, out)
}

func TestKeystoreExportOpensInKeytool(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "client.pem")
	code, _, stderr := runKeystore(t, "export", fixtures+"client-rsa.jks", "--chain", "--out", out, "--pass-file", passFile(t, "changeit"))
	require.Equal(t, exitOK, code, stderr)
	printed := keytooltest.Run(t, "-printcert", "-file", out)
	for _, fp := range fingerprintsOf(sourceChain(t, "client-rsa.jks", "client")) {
		assert.Contains(t, printed, fp)
	}
}
