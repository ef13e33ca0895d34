package main

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeystoreList(t *testing.T) {
	changeit := passFile(t, "changeit")
	tests := []struct {
		name       string
		args       []string
		wantFormat string
		want       []string // alias/type of each entry
		wantKey    string   // key algorithm of the first entry
	}{
		{name: "JKS", args: []string{fixtures + "client-multi.jks", "--pass-file", changeit}, wantFormat: "jks",
			want: []string{"alpha/PrivateKeyEntry", "beta/PrivateKeyEntry"}, wantKey: "EC 256"},
		{name: "PKCS#12 with trusted entries", args: []string{fixtures + "client-trusting.p12", "--pass-file", changeit}, wantFormat: "pkcs12",
			want: []string{"client/PrivateKeyEntry", "root/trustedCertEntry", "intermediate/trustedCertEntry"}, wantKey: "RSA 2048"},
		{name: "PKCS#12 with two key entries", args: []string{fixtures + "client-two.p12", "--pass-file", changeit}, wantFormat: "pkcs12",
			want: []string{"alpha/PrivateKeyEntry", "beta/PrivateKeyEntry", "two-ca/trustedCertEntry"}, wantKey: "EC 256"},
		{name: "PKCS#12 aliases lower-cased as Java lists them", args: []string{fixtures + "client-mixedcase.p12", "--pass-file", changeit},
			wantFormat: "pkcs12", want: []string{"myclient/PrivateKeyEntry", "partnerca/trustedCertEntry"}, wantKey: "EC 256"},
		{name: "legacy PKCS#12: the key entry's alias is not encrypted", args: []string{fixtures + "client-legacy.p12", "--pass-file", changeit},
			wantFormat: "pkcs12", want: []string{"client/PrivateKeyEntry"}, wantKey: "RSA 2048"},
		{name: "PEM needs no password", args: []string{fixtures + "client.crt", "--key", fixtures + "client.key"}, wantFormat: "pem",
			want: []string{"/PrivateKeyEntry"}, wantKey: "RSA 2048"},
		{name: "Ed25519", args: []string{fixtures + "client-ed25519.jks", "--pass-file", changeit}, wantFormat: "jks",
			want: []string{"client-ed/PrivateKeyEntry"}, wantKey: "Ed25519 255"},
		{name: "truststore", args: []string{fixtures + "trust.jks", "--pass-file", changeit}, wantFormat: "jks",
			want: []string{"root/trustedCertEntry"}, wantKey: "RSA 2048"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runKeystore(t, append([]string{"list", "--json"}, tt.args...)...)
			require.Equal(t, exitOK, code, stderr)
			l := decodeListing(t, stdout)
			assert.Equal(t, tt.wantFormat, l.Format)
			var got []string
			for _, e := range l.Entries {
				got = append(got, e.Alias+"/"+e.Type)
				assert.Len(t, e.SHA256, 95)
				if e.Type == "PrivateKeyEntry" {
					require.NotEmpty(t, e.Chain)
					assert.Equal(t, e.certSummary, e.Chain[0], "the chain starts with the entry's own certificate")
				}
			}
			assert.Equal(t, tt.want, got)
			require.NotEmpty(t, l.Entries)
			assert.Equal(t, tt.wantKey, l.Entries[0].KeyAlgorithm+" "+strconv.Itoa(l.Entries[0].KeySize))

			code, text, stderr := runKeystore(t, append([]string{"list"}, tt.args...)...)
			require.Equal(t, exitOK, code, stderr)
			for _, e := range l.Entries {
				if e.Alias != "" {
					assert.Contains(t, text, "\nAlias:    "+e.Alias+"\n")
				}
				assert.Contains(t, text, e.SHA256)
				assert.Contains(t, text, "Subject:  "+e.Subject)
			}
		})
	}
}

// TestKeystoreListEmptyPKCS12 lists keytool's empty PKCS#12 store (an entry made, then deleted).
func TestKeystoreListEmptyPKCS12(t *testing.T) {
	args := []string{fixtures + "trust-empty.p12", "--pass-file", passFile(t, "changeit")}
	code, stdout, stderr := runKeystore(t, append([]string{"list", "--json"}, args...)...)
	require.Equal(t, exitOK, code, stderr)
	l := decodeListing(t, stdout)
	assert.Equal(t, "pkcs12", l.Format)
	assert.Empty(t, l.Entries)

	code, stdout, stderr = runKeystore(t, append([]string{"list"}, args...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, fixtures+"trust-empty.p12: PKCS12 keystore, 0 entries\n", stdout)
}

func TestKeystoreListErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "no file", args: []string{fixtures + "missing.jks", "--pass-file", passFile(t, "changeit")}, wantErr: "no such file"},
		{name: "wrong password", args: []string{fixtures + "client-rsa.jks", "--pass-file", passFile(t, secret)}, wantErr: "wrong password"},
		{name: "JCEKS", args: []string{fixtures + "client.jceks", "--pass-file", passFile(t, "changeit")}, wantErr: "keytool -importkeystore"},
		{name: "no password without a terminal", args: []string{fixtures + "trust.p12"}, wantErr: "--pass-env VAR or --pass-file FILE"},
		{name: "no argument", args: nil, wantErr: "accepts 1 arg"},
		{name: "password from a flag value", args: []string{fixtures + "trust.jks", "--pass", "changeit"}, wantErr: "unknown flag: --pass"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runKeystore(t, append([]string{"list"}, tt.args...)...)
			require.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.wantErr)
		})
	}
}

func TestKeystorePasswordFromEnvironment(t *testing.T) {
	t.Setenv("COURIER_TEST_STORE_PASS", "changeit")
	code, stdout, stderr := runKeystore(t, "list", fixtures+"trust.jks", "--pass-env", "COURIER_TEST_STORE_PASS")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Alias:    root")

	t.Setenv("COURIER_TEST_STORE_PASS", secret)
	code, _, stderr = runKeystore(t, "list", fixtures+"trust.jks", "--pass-env", "COURIER_TEST_STORE_PASS")
	require.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "wrong password")
}
