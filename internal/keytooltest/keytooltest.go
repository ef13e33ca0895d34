// Package keytooltest runs the real Java keytool from tests, to prove that
// the files courier writes open in Java. Tests skip where keytool is absent.
package keytooltest

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Entry is one entry as `keytool -list -v` prints it.
type Entry struct {
	Alias   string
	Type    string   // PrivateKeyEntry or trustedCertEntry
	Chain   int      // chain length of a PrivateKeyEntry; 1 for a trustedCertEntry
	SHA256s []string // fingerprints as keytool prints them, upper case with colons
}

// Run runs keytool with args in English and returns its output; it fails
// the test when keytool fails, and skips it when keytool is not on PATH.
func Run(tb testing.TB, args ...string) string {
	tb.Helper()
	path, err := exec.LookPath("keytool")
	if err != nil {
		tb.Skip("keytool is not on PATH")
	}
	cmd := exec.Command(path, append([]string{"-J-Duser.language=en"}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("keytool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// List lists a keystore with keytool.
func List(tb testing.TB, store, password string) []Entry {
	tb.Helper()
	out := Run(tb, "-list", "-v", "-keystore", store, "-storepass", password)
	var entries []Entry
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		key, value, _ := strings.Cut(strings.TrimSpace(sc.Text()), ": ")
		if key != "Alias name" && len(entries) == 0 {
			continue
		}
		switch key {
		case "Alias name":
			entries = append(entries, Entry{Alias: value, Chain: 1})
		case "Entry type":
			entries[len(entries)-1].Type = value
		case "Certificate chain length":
			n, err := strconv.Atoi(value)
			if err != nil {
				tb.Fatalf("keytool printed chain length %q", value)
			}
			entries[len(entries)-1].Chain = n
		case "SHA256":
			entries[len(entries)-1].SHA256s = append(entries[len(entries)-1].SHA256s, value)
		}
	}
	return entries
}
