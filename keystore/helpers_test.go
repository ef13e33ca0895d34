package keystore_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// dir holds the keytool-made fixtures (see ../testdata/keytool/README.md).
const dir = "../testdata/keytool/"

// changeit returns the fixtures' password as a fresh slice.
func changeit() []byte { return []byte("changeit") }

// fixture returns the path of a fixture.
func fixture(name string) string { return filepath.Join(dir, name) }

// readFixture returns the bytes of a fixture.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(fixture(name))
	require.NoError(t, err)
	return data
}
