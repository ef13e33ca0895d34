package keystore_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/internal/keytooltest"
	"github.com/mtlscourier/courier/keystore"
)

// keytoolTwoKeys makes, with keytool's PKCS#12 defaults, a store with two EC key entries and
// the test root as a trusted entry, under random mixed-case aliases. It returns the store and
// the aliases as typed: the two keys, then the root.
func keytoolTwoKeys(t *testing.T) (store string, aliases []string) {
	t.Helper()
	store = filepath.Join(t.TempDir(), "two.p12")
	aliases = []string{randomAlias(t), randomAlias(t), randomAlias(t)}
	for _, a := range aliases[:2] {
		keytooltest.Run(t, "-genkeypair", "-keystore", store, "-storetype", "PKCS12", "-storepass", "p12 pass!",
			"-alias", a, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN="+a)
	}
	keytooltest.Run(t, "-importcert", "-noprompt", "-keystore", store, "-storepass", "p12 pass!",
		"-alias", aliases[2], "-file", fixture("ca.pem"))
	return store, aliases
}

// TestKeytoolPKCS12Aliases reads PKCS#12 files keytool makes now: the aliases are keytool's,
// and each key entry is picked by its alias. The protections vary: keytool 17's default
// (PBES2, AES-256, HMAC-SHA256), AES-128 with HMAC-SHA1, and the legacy 3DES/RC2 one, whose
// trusted certificates cannot be named. keytool -importkeystore rewrites the first store with
// the others.
func TestKeytoolPKCS12Aliases(t *testing.T) {
	t.Parallel()
	original, aliases := keytoolTwoKeys(t)
	tests := []struct {
		name        string
		rewrite     []string // keytool -importkeystore's Java options; nil: the store as made
		wantTrusted bool     // the trusted entry's alias is known
	}{
		{name: "keytool 17 default", wantTrusted: true},
		{name: "AES-128 and HMAC-SHA1", wantTrusted: true, rewrite: []string{
			"-J-Dkeystore.pkcs12.certProtectionAlgorithm=PBEWithHmacSHA1AndAES_128",
			"-J-Dkeystore.pkcs12.keyProtectionAlgorithm=PBEWithHmacSHA1AndAES_128",
			"-J-Dkeystore.pkcs12.macAlgorithm=HmacPBESHA1"}},
		{name: "legacy 3DES and RC2", rewrite: []string{"-J-Dkeystore.pkcs12.legacy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := original
			if tt.rewrite != nil {
				store = filepath.Join(t.TempDir(), "rewritten.p12")
				keytooltest.Run(t, append(tt.rewrite, "-importkeystore", "-srckeystore", original, "-srcstoretype", "PKCS12",
					"-srcstorepass", "p12 pass!", "-destkeystore", store, "-deststoretype", "PKCS12", "-deststorepass", "p12 pass!")...)
			}
			want := map[string]keystore.EntryKind{}
			for _, e := range keytooltest.List(t, store, "p12 pass!") {
				want[e.Alias] = keystore.PrivateKeyEntry
				if e.Type == "trustedCertEntry" {
					want[e.Alias] = keystore.TrustedCertEntry
				}
			}
			require.Len(t, want, 3)
			if !tt.wantTrusted {
				delete(want, strings.ToLower(aliases[2]))
				want[""] = keystore.TrustedCertEntry
			}

			s, err := keystore.Load(store, []byte("p12 pass!"))
			require.NoError(t, err)
			got := map[string]keystore.EntryKind{}
			for _, e := range s.Entries {
				got[e.Alias] = e.Kind
			}
			assert.Equal(t, want, got, "keytool -list's aliases")

			for _, a := range aliases[:2] {
				kp, err := s.KeyPair(a, nil)
				require.NoError(t, err, "the alias as the user typed it")
				assert.Equal(t, a, kp.Leaf().Subject.CommonName)
				assert.Equal(t, strings.ToLower(a), kp.Alias)
			}
			_, err = s.KeyPair("", nil)
			require.ErrorIs(t, err, keystore.ErrAmbiguousAlias)
			_, err = s.KeyPair("nobody", nil)
			require.ErrorIs(t, err, keystore.ErrAliasNotFound)
			assert.Contains(t, err.Error(), strings.ToLower(aliases[1]), "the error names the aliases there are")
		})
	}
}

// TestKeytoolPKCS12Empty opens the store keytool leaves when its last entry is deleted.
func TestKeytoolPKCS12Empty(t *testing.T) {
	t.Parallel()
	store := filepath.Join(t.TempDir(), "empty.p12")
	keytooltest.Run(t, "-genkeypair", "-keystore", store, "-storetype", "PKCS12", "-storepass", "p12 pass!",
		"-alias", "gone", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=gone")
	keytooltest.Run(t, "-delete", "-keystore", store, "-storepass", "p12 pass!", "-alias", "gone")

	s, err := keystore.Load(store, []byte("p12 pass!"))
	require.NoError(t, err)
	assert.Equal(t, keystore.FormatPKCS12, s.Format)
	assert.Empty(t, s.Entries)
	_, err = s.CertPool()
	require.ErrorIs(t, err, keystore.ErrEmptyTruststore)
	_, err = keystore.Load(store, []byte("wrong pass"))
	require.ErrorIs(t, err, keystore.ErrWrongPassword)
}

// TestKeytoolPKCS12EditKeepsAliases adds a certificate to a keytool truststore: keytool then
// lists its entry under the alias it had.
func TestKeytoolPKCS12EditKeepsAliases(t *testing.T) {
	t.Parallel()
	store := filepath.Join(t.TempDir(), "trust.p12")
	alias := randomAlias(t)
	keytooltest.Run(t, "-importcert", "-noprompt", "-keystore", store, "-storetype", "PKCS12", "-storepass", "p12 pass!",
		"-alias", alias, "-file", fixture("ca.pem"))

	b, err := keystore.Edit(store, []byte("p12 pass!"))
	require.NoError(t, err)
	intermediate, err := keystore.Load(fixture("intermediate.pem"), nil)
	require.NoError(t, err)
	require.NoError(t, b.AddTrusted("partner-ca", intermediate.Certificates()[0]))
	data, err := b.Encode([]byte("p12 pass!"))
	require.NoError(t, err)
	require.NoError(t, keystore.WriteFile(store, data, keystore.Replace))

	var got []string
	for _, e := range keytooltest.List(t, store, "p12 pass!") {
		got = append(got, e.Alias)
	}
	assert.ElementsMatch(t, []string{strings.ToLower(alias), "partner-ca"}, got)
}
