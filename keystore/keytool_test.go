package keystore_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

// keytool runs the real keytool, skipping the test where Java is absent.
func keytool(t *testing.T, args ...string) {
	t.Helper()
	path, err := exec.LookPath("keytool")
	if err != nil {
		t.Skip("keytool is not on PATH")
	}
	// UTF-8 everywhere, so that non-ASCII passwords reach Java as the chars we mean.
	args = append([]string{"-J-Dfile.encoding=UTF-8", "-J-Dsun.jnu.encoding=UTF-8"}, args...)
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "keytool %s\n%s", strings.Join(args, " "), out)
}

// randomAlias returns a MixedCase alias that no fixture has.
func randomAlias(t *testing.T) string {
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return "MixedCase" + strings.ToUpper(hex.EncodeToString(b)) + "Alias"
}

// genKeyPair makes a self-signed EC key entry with keytool.
func genKeyPair(t *testing.T, store, storeType, alias, storePass, keyPass string) {
	keytool(t, "-genkeypair", "-keystore", store, "-storetype", storeType, "-storepass", storePass, "-keypass", keyPass,
		"-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN="+alias)
}

func TestKeytoolJKS(t *testing.T) {
	store := filepath.Join(t.TempDir(), "made-now.jks")
	alias := randomAlias(t)
	genKeyPair(t, store, "JKS", alias, "störe-pass", "kéy-pass")

	s, err := keystore.Load(store, []byte("störe-pass"), keystore.WithKeyPassword([]byte("kéy-pass")))
	require.NoError(t, err)
	require.Len(t, s.Entries, 1)
	assert.Equal(t, strings.ToLower(alias), s.Entries[0].Alias, "keytool lower-cases aliases")

	kp, err := s.KeyPair(alias, nil)
	require.NoError(t, err, "the alias as the user wrote it")
	assert.Equal(t, alias, kp.Leaf().Subject.CommonName)
	require.NoError(t, kp.CheckValidity(kp.Leaf().NotBefore))

	_, err = s.KeyPair(alias, []byte("store-pass"))
	require.ErrorIs(t, err, keystore.ErrWrongKeyPassword)
	_, err = keystore.Load(store, []byte("store-pass"))
	require.ErrorIs(t, err, keystore.ErrWrongPassword)
}

func TestKeytoolPKCS12(t *testing.T) {
	store := filepath.Join(t.TempDir(), "made-now.p12")
	alias := randomAlias(t)
	// keytool 17 refuses non-ASCII PKCS#12 passwords ("Password is not ASCII": PBKDF2).
	genKeyPair(t, store, "PKCS12", alias, "p12 pass!", "p12 pass!")

	kp, err := keystore.LoadKeyPair(store, []byte("p12 pass!"), keystore.WithAlias(alias))
	require.NoError(t, err)
	assert.Equal(t, alias, kp.Leaf().Subject.CommonName)
}

func TestKeytoolJKSPasswordBeyondLatin1(t *testing.T) {
	store := filepath.Join(t.TempDir(), "euro.jks")
	genKeyPair(t, store, "JKS", "client", "pass-€", "pass-€")

	_, err := keystore.Load(store, []byte("pass-€"))
	require.ErrorIs(t, err, keystore.ErrPasswordEncoding)
	assert.NotContains(t, err.Error(), "pass-€")
}
