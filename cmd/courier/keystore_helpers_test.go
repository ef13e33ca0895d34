package main

import (
	"bufio"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// ktEntry is one entry as keytool -list -v prints it.
type ktEntry struct {
	Alias   string
	Type    string
	Chain   int
	SHA256s []string
}

// keytoolOut runs the real keytool and returns its output, skipping where Java is absent.
func keytoolOut(t *testing.T, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("keytool")
	if err != nil {
		t.Skip("keytool is not on PATH")
	}
	cmd := exec.Command(path, append([]string{"-J-Duser.language=en"}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "keytool %s\n%s", strings.Join(args, " "), out)
	return string(out)
}

// keytoolEntries lists a store with the real keytool.
func keytoolEntries(t *testing.T, store, password string) []ktEntry {
	t.Helper()
	out := keytoolOut(t, "-list", "-v", "-keystore", store, "-storepass", password)
	var entries []ktEntry
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		key, value, _ := strings.Cut(strings.TrimSpace(sc.Text()), ": ")
		switch key {
		case "Alias name":
			entries = append(entries, ktEntry{Alias: value, Chain: 1})
		case "Entry type":
			entries[len(entries)-1].Type = value
		case "Certificate chain length":
			n, err := strconv.Atoi(value)
			require.NoError(t, err)
			entries[len(entries)-1].Chain = n
		case "SHA256":
			entries[len(entries)-1].SHA256s = append(entries[len(entries)-1].SHA256s, value)
		}
	}
	return entries
}

// keytoolReadsKey proves the key password: keytool copies the key entry into a new store.
func keytoolReadsKey(t *testing.T, store, storePass, alias, keyPass string) {
	t.Helper()
	keytoolOut(t, "-importkeystore", "-noprompt", "-srckeystore", store, "-srcstorepass", storePass,
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
