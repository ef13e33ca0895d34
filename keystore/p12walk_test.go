package keystore

// Internal tests of the PKCS#12 walker: the parts Parse reaches only once a file's MAC has
// proved the password, which mutated files never do.

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readKeytoolFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "keytool", name))
	require.NoError(t, err)
	return data
}

// TestWalkUnseal reads certBag aliases and trusted flags: from PBES2 parts, which unseal opens
// with the right password only, and never from legacy ones.
func TestWalkUnseal(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		password   string
		wantSealed bool
		wantTrust  []string // aliases of the trusted certBags
	}{
		{name: "PBES2 AES-256", file: "client-trusting.p12", password: "changeit", wantTrust: []string{"root", "intermediate"}},
		{name: "mixed case lower-cased", file: "client-mixedcase.p12", password: "changeit", wantTrust: []string{"partnerca"}},
		{name: "wrong password leaves it sealed", file: "client-trusting.p12", password: "wrong", wantSealed: true},
		{name: "legacy RC2 stays sealed", file: "client-legacy.p12", password: "changeit", wantSealed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readP12(readKeytoolFixture(t, tt.file))
			require.NoError(t, err)
			require.True(t, f.sealed(), "certificates are encrypted")
			f.unseal(tt.password)
			assert.Equal(t, tt.wantSealed, f.sealed())
			var trusted []string
			for _, p := range f.parts {
				for _, b := range p.bags {
					if b.trusted {
						trusted = append(trusted, b.alias)
					}
				}
			}
			assert.Equal(t, tt.wantTrust, trusted)
		})
	}
}

// TestWalkWithOneKey rebuilds client-two.p12 with one key bag at a time: go-pkcs12 decodes
// each, and the bags left are the same, byte for byte.
func TestWalkWithOneKey(t *testing.T) {
	f, err := readP12(readKeytoolFixture(t, "client-two.p12"))
	require.NoError(t, err)
	keys := f.keyBags()
	require.Len(t, keys, 2)
	for _, k := range keys {
		one, err := f.withOneKey(k, "changeit")
		require.NoError(t, err)
		g, err := readP12(one)
		require.NoError(t, err)
		require.Len(t, g.keyBags(), 1)
		assert.Equal(t, k.raw, g.keyBags()[0].raw)
		assert.Equal(t, f.parts[1].raw, g.parts[1].raw, "the encrypted part is left as it was")

		key, cert, cas, err := decodeChain(one, "changeit")
		require.NoError(t, err)
		signer, err := asSigner(key)
		require.NoError(t, err)
		chain, _ := splitChain(signer, append(cas, cert))
		assert.Equal(t, "courier-client-"+k.alias, chain[0].Subject.CommonName)

		_, _, _, err = decodeChain(one, "wrong")
		require.Error(t, err, "the new MAC is keyed by the password")
	}
}

// FuzzP12Walk feeds the walker anything, then unseals, rebuilds and walks again what it read:
// no panic, and every file withOneKey writes can be walked.
//
// Its corpus (testdata/fuzz/FuzzP12Walk) holds keytool 17 stores made with one iteration
// everywhere (-J-Dkeystore.pkcs12.certPbeIterationCount=1, keyPbeIterationCount=1,
// macIterationCount=1): two key entries and a trusted one, and an emptied store. Under the
// fuzzer's instrumentation the fixtures' 10,000 PBKDF2 iterations take seconds per input.
func FuzzP12Walk(f *testing.F) {
	for _, name := range []string{"client-legacy.p12", "trust-empty.p12"} {
		f.Add(readKeytoolFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkIterations(data) != nil {
			return // Parse refuses those before the walker runs
		}
		p, err := readP12(data)
		if err != nil {
			return
		}
		p.unseal("changeit")
		for _, k := range p.plainKeyBags() {
			one, err := p.withOneKey(k, "changeit")
			if err != nil {
				t.Fatalf("withOneKey on a file the walker read: %v", err)
			}
			if _, err := readP12(one); err != nil {
				t.Fatalf("the walker cannot read what withOneKey wrote: %v", err)
			}
		}
	})
}
