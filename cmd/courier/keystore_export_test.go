package main

import (
	"io"
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

// Exporting over the store being read would replace it with a PEM certificate and lose its
// private key: refused, even with --force, however --out spells the store.
func TestKeystoreExportRefusesItsOwnStore(t *testing.T) {
	changeit := passFile(t, "changeit")
	tests := []struct {
		name    string
		out     func(store string) string
		wantErr error
	}{
		{name: "the same path", out: func(store string) string { return store }, wantErr: errOutIsStore},
		{name: "another spelling", wantErr: errOutIsStore, out: func(store string) string {
			return filepath.Join(filepath.Dir(store), ".", "sub", "..", filepath.Base(store))
		}},
		{name: "a link to it", wantErr: errOutIsStore, out: func(store string) string {
			link := filepath.Join(filepath.Dir(store), "link.jks")
			require.NoError(t, os.Symlink(store, link))
			return link
		}},
		{name: "another file", out: func(store string) string { return store + ".pem" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
			store := filepath.Join(dir, "mine.jks")
			original := readFile(t, fixtures+"client-rsa.jks")
			require.NoError(t, os.WriteFile(store, original, 0o600))
			out := tt.out(store)

			code, _, stderr := runKeystore(t, "export", store, "--alias", "client", "--out", out, "--force", "--pass-file", changeit)
			if tt.wantErr == nil {
				require.Equal(t, exitOK, code, stderr)
				assert.Equal(t, original, readFile(t, store))
				return
			}
			require.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, "--out is the key store being read")
			// The check comes first: no password is needed to be refused.
			err := export(streams{out: io.Discard, err: io.Discard}, store, "client", false, out, true, nil)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, original, readFile(t, store), "the store is left as it was")
		})
	}
}

func TestSameFile(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	require.NoError(t, os.WriteFile(a, nil, 0o600))
	require.NoError(t, os.WriteFile(b, nil, 0o600))
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.True(t, sameFile(a, a))
	assert.False(t, sameFile(a, b))
	assert.False(t, sameFile(a, filepath.Join(dir, "new")), "a file that does not exist yet is another file")
	assert.True(t, sameFile(filepath.Join(dir, "new"), filepath.Join(dir, "x", "..", "new")), "equal paths before the file exists")
	assert.True(t, sameFile("new.jks", filepath.Join(wd, "new.jks")), "relative and absolute")
}
