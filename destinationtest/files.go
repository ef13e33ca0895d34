package destinationtest

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultPassword is the store password of the keystores and truststores
// that Destination writes: keytool's traditional default.
const DefaultPassword = "changeit"

// writeFile writes data to dir/name, readable by its owner alone because
// most of these files hold private keys, and returns the path.
func writeFile(dir, name string, data []byte) (string, error) {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("destinationtest: write %s: %w", path, err)
	}
	return path, nil
}

// must ends the test on err, and otherwise returns path.
func must(tb TB, path string, err error) string {
	tb.Helper()
	if err != nil {
		fatal(tb, err)
	}
	return path
}
