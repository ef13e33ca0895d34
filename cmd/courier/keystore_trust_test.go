package main

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destinationtest"
	"github.com/mtlscourier/courier/internal/keytooltest"
	"github.com/mtlscourier/courier/keystore"
)

// serverChain is the chain srv presents, read with a proper mutual TLS handshake.
func serverChain(t *testing.T, srv *destinationtest.Server) []*x509.Certificate {
	t.Helper()
	id := srv.ClientIdentity(t)
	conn, err := tls.Dial("tcp", srv.URL[len("https://"):], &tls.Config{
		RootCAs: srv.CA.Pool(), Certificates: []tls.Certificate{id.TLSCertificate()},
	})
	require.NoError(t, err)
	defer conn.Close()
	chain := conn.ConnectionState().PeerCertificates
	require.Len(t, chain, 2, "leaf and intermediate")
	return chain
}

func TestKeystoreTrustURL(t *testing.T) {
	t.Parallel()
	srv := destinationtest.NewServer(t)
	chain := serverChain(t, srv)
	store, pf := filepath.Join(t.TempDir(), "trust.jks"), passFile(t, secret)

	code, stdout, stderr := runKeystore(t, "trust", "--url", srv.URL, "--to", store, "--pass-file", pf)
	require.Equal(t, exitUsage, code, "no --yes and no terminal")
	assert.Contains(t, stderr, "--yes")
	for _, c := range chain {
		assert.Contains(t, stdout, fingerprintSHA256(c), "shown before anything is decided")
		assert.Contains(t, stdout, c.Subject.String())
	}
	assert.NoFileExists(t, store)

	code, stdout, stderr = runKeystore(t, "trust", "--url", srv.URL, "--to", store, "--pass-file", pf, "--yes")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Added 2 trusted certificates to "+store)
	assertPrivateFile(t, store)

	s, err := keystore.Load(store, []byte(secret))
	require.NoError(t, err)
	assert.ElementsMatch(t, fingerprintsOf(chain), fingerprintsOf(s.Certificates()))
	pool, err := s.CertPool()
	require.NoError(t, err)
	_, err = chain[0].Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"})
	require.NoError(t, err, "the truststore verifies the server")

	entries := keytooltest.List(t, store, secret)
	require.Len(t, entries, 2)
	var got, aliases []string
	for _, e := range entries {
		assert.Equal(t, "trustedCertEntry", e.Type)
		got = append(got, e.SHA256s...)
		aliases = append(aliases, e.Alias)
	}
	assert.ElementsMatch(t, fingerprintsOf(chain), got)
	assert.ElementsMatch(t, []string{"localhost", "courier-test-intermediate"}, aliases, "aliases from common names")

	before, err := os.ReadFile(store)
	require.NoError(t, err)
	code, stdout, stderr = runKeystore(t, "trust", "--url", srv.URL, "--to", store, "--pass-file", pf, "--yes")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Already in the store")
	after, err := os.ReadFile(store)
	require.NoError(t, err)
	assert.Equal(t, before, after, "nothing new: the store is not rewritten")
	assert.Zero(t, len(srv.Requests()), "nothing is sent to the server")
}

func TestKeystoreTrustURLNetworkFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	store := filepath.Join(t.TempDir(), "trust.jks")

	code, _, stderr := runKeystore(t, "trust", "--url", "https://"+addr, "--to", store, "--pass-file", passFile(t, secret), "--yes")
	assert.Equal(t, exitFailed, code, stderr)
	assert.Contains(t, stderr, "fetch the certificates of "+addr)
	assert.NoFileExists(t, store)
}

func TestKeystoreTrustCert(t *testing.T) {
	t.Parallel()
	store, pf := filepath.Join(t.TempDir(), "trust.jks"), passFile(t, secret)
	code, stdout, stderr := runKeystore(t, "trust", "--cert", fixtures+"ca.pem", "--to", store, "--pass-file", pf)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "courier-test-root")

	// An existing store gets the new certificate added, atomically.
	code, _, stderr = runKeystore(t, "trust", "--cert", fixtures+"intermediate.pem", "--to", store, "--pass-file", pf, "--alias", "Partner-CA")
	require.Equal(t, exitOK, code, stderr)
	assertPrivateFile(t, store)

	root, err := keystore.Load(fixtures+"ca.pem", nil)
	require.NoError(t, err)
	intermediate, err := keystore.Load(fixtures+"intermediate.pem", nil)
	require.NoError(t, err)
	assert.Equal(t, []keytooltest.Entry{
		{Alias: "courier-test-root", Type: "trustedCertEntry", Chain: 1, SHA256s: fingerprintsOf(root.Certificates())},
		{Alias: "partner-ca", Type: "trustedCertEntry", Chain: 1, SHA256s: fingerprintsOf(intermediate.Certificates())},
	}, keytooltest.List(t, store, secret))
}

func TestKeystoreTrustCertFormats(t *testing.T) {
	pf := passFile(t, secret)
	tests := []struct {
		name       string
		to         string
		args       []string
		wantFormat keystore.Format
		wantCerts  int
	}{
		{name: "new PKCS#12", to: "trust.p12", wantFormat: keystore.FormatPKCS12, wantCerts: 2,
			args: []string{"--cert", fixtures + "client.crt"}},
		{name: "new PEM bundle", to: "bundle.pem", wantFormat: keystore.FormatPEM, wantCerts: 2,
			args: []string{"--cert", fixtures + "ca.pem", "--cert", fixtures + "intermediate.pem"}},
		{name: "JKS by type", to: "trust.store", wantFormat: keystore.FormatJKS, wantCerts: 1,
			args: []string{"--cert", fixtures + "ca.pem", "--type", "JKS"}},
		{name: "DER certificate", to: "trust.jks", wantFormat: keystore.FormatJKS, wantCerts: 1,
			args: []string{"--cert", derFile(t, fixtures+"intermediate.pem")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := filepath.Join(t.TempDir(), tt.to)
			code, _, stderr := runKeystore(t, append([]string{"trust", "--to", store, "--pass-file", pf}, tt.args...)...)
			require.Equal(t, exitOK, code, stderr)
			s, err := keystore.Load(store, []byte(secret))
			require.NoError(t, err)
			assert.Equal(t, tt.wantFormat, s.Format)
			assert.Len(t, s.Certificates(), tt.wantCerts)
		})
	}
}

func TestKeystoreTrustErrors(t *testing.T) {
	pf := passFile(t, secret)
	existing := filepath.Join(t.TempDir(), "trust.jks")
	require.NoError(t, os.WriteFile(existing, readFile(t, fixtures+"trust.jks"), 0o600))
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "neither --url nor --cert", args: []string{"--to", existing}, wantErr: "url"},
		{name: "a keystore as --cert", args: []string{"--cert", fixtures + "client.p12", "--to", existing}, wantErr: "export its certificates"},
		{name: "wrong password of the store", args: []string{"--cert", fixtures + "intermediate.pem", "--to", existing}, wantErr: "wrong password"},
		{name: "alias for several", args: []string{"--cert", fixtures + "client.crt", "--to", existing, "--alias", "x"}, wantErr: "--alias names one certificate"},
		{name: "alias taken", args: []string{"--cert", fixtures + "intermediate.pem", "--to", existing, "--alias", "ROOT",
			"--pass-file", passFile(t, "changeit")}, wantErr: "alias already exists"},
		{name: "not https", args: []string{"--url", "http://localhost:1", "--to", existing}, wantErr: "want https://host[:port]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runKeystore(t, append([]string{"trust", "--pass-file", pf}, tt.args...)...)
			require.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tt.wantErr)
			assert.Equal(t, readFile(t, fixtures+"trust.jks"), readFile(t, existing), "the store is left as it was")
		})
	}
}

// derFile writes the certificate of a PEM file as DER, as a .der or .cer file holds it.
func derFile(t *testing.T, pemFile string) string {
	t.Helper()
	s, err := keystore.Load(pemFile, nil)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "cert.der")
	require.NoError(t, os.WriteFile(path, s.Certificates()[0].Raw, 0o600))
	return path
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// TestKeystoreTrustIntoKeytoolPKCS12 adds to PKCS#12 truststores keytool made: the entries
// already there keep their aliases (keytool lists them lower-cased), and the empty store
// keytool leaves after -delete is filled.
func TestKeystoreTrustIntoKeytoolPKCS12(t *testing.T) {
	root, err := keystore.Load(fixtures+"ca.pem", nil)
	require.NoError(t, err)
	intermediate, err := keystore.Load(fixtures+"intermediate.pem", nil)
	require.NoError(t, err)
	tests := []struct {
		name string
		make func(t *testing.T, store string)
		want []keytooltest.Entry
	}{
		{name: "existing entry keeps its alias", make: func(t *testing.T, store string) {
			keytooltest.Run(t, "-importcert", "-noprompt", "-keystore", store, "-storetype", "PKCS12", "-storepass", secret,
				"-alias", "PartnerRoot", "-file", fixtures+"ca.pem")
		}, want: []keytooltest.Entry{
			{Alias: "courier-test-intermediate", Type: "trustedCertEntry", Chain: 1, SHA256s: fingerprintsOf(intermediate.Certificates())},
			{Alias: "partnerroot", Type: "trustedCertEntry", Chain: 1, SHA256s: fingerprintsOf(root.Certificates())},
		}},
		{name: "empty store", make: func(t *testing.T, store string) {
			keytooltest.Run(t, "-genkeypair", "-keystore", store, "-storetype", "PKCS12", "-storepass", secret,
				"-alias", "gone", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=gone")
			keytooltest.Run(t, "-delete", "-keystore", store, "-storepass", secret, "-alias", "gone")
		}, want: []keytooltest.Entry{
			{Alias: "courier-test-intermediate", Type: "trustedCertEntry", Chain: 1, SHA256s: fingerprintsOf(intermediate.Certificates())},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := filepath.Join(t.TempDir(), "trust.p12")
			tt.make(t, store)
			code, stdout, stderr := runKeystore(t, "trust", "--cert", fixtures+"intermediate.pem", "--to", store,
				"--pass-file", passFile(t, secret))
			require.Equal(t, exitOK, code, stderr)
			assert.Contains(t, stdout, "(PKCS12): courier-test-intermediate\n", "the alias as stored")
			assert.Equal(t, tt.want, keytooltest.List(t, store, secret))
		})
	}
}

// TestKeystoreTrustKeepsPKCS12Aliases needs no Java: the committed keytool truststore's
// entry "root" is still "root" after trust has rewritten the file.
func TestKeystoreTrustKeepsPKCS12Aliases(t *testing.T) {
	store := filepath.Join(t.TempDir(), "trust.p12")
	require.NoError(t, os.WriteFile(store, readFile(t, fixtures+"trust.p12"), 0o600))
	code, _, stderr := runKeystore(t, "trust", "--cert", fixtures+"intermediate.pem", "--to", store, "--alias", "Partner-CA",
		"--pass-file", passFile(t, "changeit"))
	require.Equal(t, exitOK, code, stderr)
	s, err := keystore.Load(store, []byte("changeit"))
	require.NoError(t, err)
	assert.Equal(t, []string{"root", "partner-ca"}, s.Aliases())
}
