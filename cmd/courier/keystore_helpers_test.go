package main

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/internal/keytooltest"
)

// fixtures holds the keytool-made stores (see testdata/keytool/README.md); their password is
// changeit.
const fixtures = "../../testdata/keytool/"

// secret is the password of every store the tests write: no output may ever show it.
const secret = "Zq9-distinctive-Pw"

// runKeystore runs `courier keystore args...` and checks that neither output shows a password.
func runKeystore(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	code, stdout, stderr = runCLI(t, nil, append([]string{"keystore"}, args...)...)
	for _, pw := range []string{secret, "changeit", "keypass1"} {
		assert.NotContains(t, stdout, pw, "a password on stdout")
		assert.NotContains(t, stderr, pw, "a password on stderr")
	}
	return code, stdout, stderr
}

// passFile writes a password file, with a trailing newline as editors leave one.
func passFile(t *testing.T, password string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pass.txt")
	require.NoError(t, os.WriteFile(path, []byte(password+"\n"), 0o600))
	return path
}

// assertPrivateFile checks the mode courier writes every file with.
func assertPrivateFile(t *testing.T, path string) {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), path)
}

// keytoolReadsKey proves the key password: keytool copies the key entry into a new store.
func keytoolReadsKey(t *testing.T, store, storePass, alias, keyPass string) {
	t.Helper()
	keytooltest.Run(t, "-importkeystore", "-noprompt", "-srckeystore", store, "-srcstorepass", storePass,
		"-srcalias", alias, "-srckeypass", keyPass, "-destkeystore", filepath.Join(t.TempDir(), "copy.jks"),
		"-deststoretype", "JKS", "-deststorepass", "copy-pass", "-destkeypass", "copy-pass")
}

func fingerprintsOf(certs []*x509.Certificate) []string {
	out := make([]string, len(certs))
	for i, c := range certs {
		out[i] = fingerprintSHA256(c)
	}
	return out
}
