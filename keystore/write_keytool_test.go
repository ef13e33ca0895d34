package keystore_test

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// keytoolEntry is one entry as keytool -list -v prints it.
type keytoolEntry struct {
	Alias   string
	Type    string   // PrivateKeyEntry or trustedCertEntry
	Chain   int      // chain length of a PrivateKeyEntry; 1 for a trustedCertEntry
	SHA256s []string // fingerprints as keytool prints them, uppercase with colons
}

// keytoolRun runs keytool and returns its output, skipping the test where Java is absent.
func keytoolRun(t *testing.T, args ...string) string {
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

// keytoolList lists a keystore with the real keytool.
func keytoolList(t *testing.T, store, password string) []keytoolEntry {
	t.Helper()
	out := keytoolRun(t, "-list", "-v", "-keystore", store, "-storepass", password)
	var entries []keytoolEntry
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, value, _ := strings.Cut(line, ": ")
		switch key {
		case "Alias name":
			entries = append(entries, keytoolEntry{Alias: value, Chain: 1})
		case "Entry type":
			entries[len(entries)-1].Type = value
		case "Certificate chain length":
			n, err := strconv.Atoi(value)
			require.NoError(t, err)
			entries[len(entries)-1].Chain = n
		case "SHA256":
			e := &entries[len(entries)-1]
			e.SHA256s = append(e.SHA256s, value)
		}
	}
	return entries
}
