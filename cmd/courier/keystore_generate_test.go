package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/internal/keytooltest"
	"github.com/mtlscourier/courier/keystore"
)

// decodeListing decodes `keystore list --json`, which must be exactly one object.
func decodeListing(t *testing.T, stdout string) listing {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var l listing
	require.NoError(t, dec.Decode(&l), stdout)
	assert.False(t, dec.More(), "exactly one JSON object")
	return l
}

func TestKeystoreGenerateThenList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store, csrFile, pf := filepath.Join(dir, "client.jks"), filepath.Join(dir, "client.csr"), passFile(t, secret)

	code, stdout, stderr := runKeystore(t, "generate", "--cn", "ACME Client", "--to", store, "--pass-file", pf, "--csr", csrFile)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, `key entry "client" with a chain of 1`)
	assertPrivateFile(t, store)
	assertPrivateFile(t, csrFile)

	code, stdout, stderr = runKeystore(t, "list", store, "--pass-file", pf, "--json")
	require.Equal(t, exitOK, code, stderr)
	l := decodeListing(t, stdout)
	assert.Equal(t, "jks", l.Format)
	require.Len(t, l.Entries, 1)
	e := l.Entries[0]
	assert.Equal(t, "client", e.Alias)
	assert.Equal(t, "PrivateKeyEntry", e.Type)
	assert.Equal(t, "CN=ACME Client", e.Subject)
	assert.Equal(t, "CN=ACME Client", e.Issuer)
	assert.Equal(t, "EC", e.KeyAlgorithm)
	assert.Equal(t, 256, e.KeySize)
	assert.Equal(t, 365*24*time.Hour, e.NotAfter.Sub(e.NotBefore))
	require.Len(t, e.Chain, 1)

	code, stdout, stderr = runKeystore(t, "list", store, "--pass-file", pf)
	require.Equal(t, exitOK, code, stderr)
	for _, want := range []string{"JKS keystore, 1 entry", "Alias:    client", "PrivateKeyEntry (key pair), chain of 1",
		"Subject:  CN=ACME Client", "Key:      EC P-256", "SHA-256:  " + e.SHA256, "(365 days left)"} {
		assert.Contains(t, stdout, want)
	}

	assert.Equal(t, []keytooltest.Entry{{Alias: "client", Type: "PrivateKeyEntry", Chain: 1, SHA256s: []string{e.SHA256}}},
		keytooltest.List(t, store, secret))
	keytoolReadsKey(t, store, secret, "client", secret)

	data, err := os.ReadFile(csrFile)
	require.NoError(t, err)
	block, _ := pem.Decode(data)
	require.NotNil(t, block)
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	require.NoError(t, err)
	require.NoError(t, csr.CheckSignature())
	assert.Equal(t, "CN=ACME Client", csr.Subject.String())
}

func TestKeystoreGenerateRSAPKCS12(t *testing.T) {
	t.Parallel()
	store, pf := filepath.Join(t.TempDir(), "client.p12"), passFile(t, secret)
	code, _, stderr := runKeystore(t, "generate", "--cn", "rsa-client", "--to", store, "--pass-file", pf,
		"--key", "rsa", "--days", "30", "--alias", "Partner")
	require.Equal(t, exitOK, code, stderr)

	code, stdout, stderr := runKeystore(t, "list", store, "--pass-file", pf, "--json")
	require.Equal(t, exitOK, code, stderr)
	l := decodeListing(t, stdout)
	assert.Equal(t, "pkcs12", l.Format)
	require.Len(t, l.Entries, 1)
	assert.Equal(t, "RSA", l.Entries[0].KeyAlgorithm)
	assert.Equal(t, 2048, l.Entries[0].KeySize)
	assert.Equal(t, 30*24*time.Hour, l.Entries[0].NotAfter.Sub(l.Entries[0].NotBefore))

	entries := keytooltest.List(t, store, secret)
	require.Len(t, entries, 1)
	assert.Equal(t, "partner", entries[0].Alias, "keytool shows PKCS#12 aliases lower-cased")
	assert.Equal(t, "PrivateKeyEntry", entries[0].Type)
}

func TestKeystoreGenerateErrors(t *testing.T) {
	pf := passFile(t, secret)
	tests := []struct {
		name     string
		args     []string
		existing bool
		wantCode int
		wantErr  string
	}{
		{name: "refuses to overwrite", existing: true, wantCode: exitUsage, wantErr: "--force"},
		{name: "force replaces", existing: true, args: []string{"--force"}, wantCode: exitOK},
		{name: "no password without a terminal", args: []string{"--pass-file="}, wantCode: exitUsage, wantErr: "--pass-env VAR or --pass-file FILE"},
		{name: "unknown key", args: []string{"--key", "dsa"}, wantCode: exitUsage, wantErr: `key algorithm "dsa"`},
		{name: "bad key size", args: []string{"--key-size", "1024"}, wantCode: exitUsage, wantErr: "EC key size 1024"},
		{name: "no days", args: []string{"--days", "0"}, wantCode: exitUsage, wantErr: "--days 0"},
		{name: "key password in PKCS#12", args: []string{"--type", "pkcs12", "--key-pass-file", pf}, wantCode: exitUsage, wantErr: "one password"},
		{name: "PEM key store", args: []string{"--type", "pem"}, wantCode: exitUsage, wantErr: "not PEM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := filepath.Join(t.TempDir(), "client.jks")
			if tt.existing {
				require.NoError(t, os.WriteFile(store, []byte("old"), 0o600))
			}
			args := append([]string{"generate", "--cn", "x", "--to", store, "--pass-file", pf}, tt.args...)
			code, _, stderr := runKeystore(t, args...)
			require.Equal(t, tt.wantCode, code, stderr)
			if tt.wantCode == exitOK {
				return
			}
			assert.Contains(t, stderr, tt.wantErr)
			data, err := os.ReadFile(store)
			if tt.existing {
				require.NoError(t, err)
				assert.Equal(t, "old", string(data), "the file is left as it was")
			} else {
				assert.ErrorIs(t, err, os.ErrNotExist, "nothing written")
			}
		})
	}
}

func TestKeystoreGenerateRefusesExistingCSR(t *testing.T) {
	dir := t.TempDir()
	csrFile := filepath.Join(dir, "client.csr")
	require.NoError(t, os.WriteFile(csrFile, []byte("old"), 0o600))
	code, _, stderr := runKeystore(t, "generate", "--cn", "x", "--to", filepath.Join(dir, "client.jks"),
		"--pass-file", passFile(t, secret), "--csr", csrFile)
	require.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, csrFile+" already exists")
	assert.NoFileExists(t, filepath.Join(dir, "client.jks"), "checked before anything is written")
}

// Every output is checked before any is written: a refused --csr leaves no key store behind,
// which a rerun would find "already exists".
func TestKeystoreGenerateChecksEveryOutputFirst(t *testing.T) {
	pf := passFile(t, secret)
	tests := []struct {
		name    string
		csr     func(dir, store string) string
		force   bool
		wantErr error
	}{
		{name: "--csr in a missing directory", wantErr: errNoDirectory,
			csr: func(dir, _ string) string { return filepath.Join(dir, "nonexist", "x.csr") }},
		{name: "--csr in a missing directory, with --force", force: true, wantErr: errNoDirectory,
			csr: func(dir, _ string) string { return filepath.Join(dir, "nonexist", "x.csr") }},
		{name: "--csr is --to", wantErr: errCSRIsStore,
			csr: func(_, store string) string { return store }},
		{name: "--csr is --to, with --force", force: true, wantErr: errCSRIsStore,
			csr: func(_, store string) string { return store }},
		{name: "--csr is --to, spelled otherwise", wantErr: errCSRIsStore,
			csr: func(dir, _ string) string { return filepath.Join(dir, ".", "g7.jks") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			store := filepath.Join(dir, "g7.jks")
			f := &generateFlags{to: store, csr: tt.csr(dir, store), force: tt.force}
			_, _, err := f.targets()
			require.ErrorIs(t, err, tt.wantErr)

			args := []string{"generate", "--cn", "x", "--to", store, "--csr", f.csr, "--pass-file", pf}
			if tt.force {
				args = append(args, "--force")
			}
			code, stdout, stderr := runKeystore(t, args...)
			require.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			assert.NoFileExists(t, store, "nothing written")
		})
	}
}

func TestKeystoreGenerateWritesStoreAndCSR(t *testing.T) {
	dir := t.TempDir()
	store, csrFile := filepath.Join(dir, "g7.jks"), filepath.Join(dir, "g7.csr")
	code, _, stderr := runKeystore(t, "generate", "--cn", "x", "--to", store, "--csr", csrFile, "--pass-file", passFile(t, secret))
	require.Equal(t, exitOK, code, stderr)
	assertPrivateFile(t, store)
	assertPrivateFile(t, csrFile)
	assert.Contains(t, string(readFile(t, csrFile)), "-----BEGIN CERTIFICATE REQUEST-----")
}

// JCEKS is a store courier reads only to say how to convert it; as an output type the advice
// is wrong: --type must be jks or pkcs12.
func TestOutputFormat(t *testing.T) {
	tests := []struct {
		name, path, typ string
		want            keystore.Format
		wantErr         error
	}{
		{name: "jks", path: "a.p12", typ: "jks", want: keystore.FormatJKS},
		{name: "pkcs12 from the extension", path: "a.p12", want: keystore.FormatPKCS12},
		{name: "jceks", path: "a.jks", typ: "jceks", wantErr: errOutputType},
		{name: "JCEKS", path: "a.jks", typ: "JCEKS", wantErr: errOutputType},
		{name: "unknown", path: "a.jks", typ: "bks", wantErr: errOutputType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := outputFormat(tt.path, tt.typ)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, cmd := range [][]string{
		{"generate", "--cn", "x"},
		{"import-pair", "--from", fixtures + "client.p12", "--alias", "client"},
	} {
		t.Run(cmd[0], func(t *testing.T) {
			to := filepath.Join(t.TempDir(), "out.jceks")
			code, _, stderr := runKeystore(t, append(cmd, "--to", to, "--type", "jceks", "--pass-file", passFile(t, secret))...)
			require.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, "--type jceks: the new store's type must be jks or pkcs12")
			assert.NotContains(t, stderr, "keytool", "no advice to convert a store being read")
			assert.NoFileExists(t, to)
		})
	}
}
