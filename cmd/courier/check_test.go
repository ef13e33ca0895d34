package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/check"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
	"github.com/mtlscourier/courier/internal/javatest"
)

// decodeCheckReport decodes the one JSON object `check --json` prints,
// refusing fields the interface does not have.
func decodeCheckReport(t *testing.T, stdout string) checkReport {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var r checkReport
	require.NoError(t, dec.Decode(&r), "stdout: %q", stdout)
	assert.False(t, dec.More(), "exactly one JSON object on stdout")
	require.Len(t, r.Checks, len(check.Names))
	for i, c := range r.Checks {
		assert.Equal(t, check.Names[i], c.Name)
		assert.Contains(t, []string{"pass", "warn", "fail", "skip"}, c.Status)
		assert.NotNil(t, c.Detail, "detail is an array, never null")
	}
	return r
}

// checkStatus returns the status of the named check in r.
func checkStatus(r checkReport, name string) string {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status
		}
	}
	return ""
}

// firstFailed returns the name of the first failed check in r.
func firstFailedCheck(r checkReport) string {
	for _, c := range r.Checks {
		if c.Status == "fail" {
			return c.Name
		}
	}
	return ""
}

// writeJavaDestination writes a destination for a Java server with keytool
// fixtures; extra is added to the JSON object.
func writeCheckJavaDestination(t *testing.T, url, keystore, truststore, pass, extra string) string {
	t.Helper()
	doc := `{url: '` + url + `/in', keystoreFile: '` + javatest.Fixture(t, keystore) + `', keystorePass: '` + pass + `',
  truststoreFile: '` + javatest.Fixture(t, truststore) + `', truststorePass: 'changeit', ` + extra + `}`
	path := filepath.Join(t.TempDir(), "partner.json")
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
	return path
}

func TestCheckAllGood(t *testing.T) {
	srv := destinationtest.NewServer(t)
	path := writeDestination(t, srv.Destination(t), "")

	code, stdout, stderr := runCLI(t, nil, "check", "--destination", path, "--json")
	assert.Equal(t, exitOK, code, stderr)
	r := decodeCheckReport(t, stdout)
	assert.True(t, r.OK)
	assert.Equal(t, "ok", r.Reason)
	assert.Equal(t, "pass", checkStatus(r, check.ClientAuth))
	assert.Empty(t, srv.Requests(), "check sends no HTTP request")

	code, stdout, _ = runCLI(t, nil, "check", "--destination", path, "--verdict-wait", "100ms")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "✓ client-auth")
	assert.Regexp(t, `no refusal came within [0-9.]+m?s`, stdout) // 100ms plus the handshake's time
	assert.Contains(t, stdout, "\nOK: nothing failed")
	// destinationtest certificates live a day: the validity check warns.
	assert.Contains(t, stdout, "! validity")
}

func TestCheckExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(t *testing.T, srv *destinationtest.Server) []string
		wantCode   int
		wantReason destination.Reason
		wantFailed string
	}{
		{
			name: "refused certificate",
			setup: func(t *testing.T, srv *destinationtest.Server) []string {
				cfg := srv.Destination(t, destinationtest.WithIdentity(destinationtest.NewCA(t).IssueClient(t, "rogue")))
				return []string{"--destination", writeDestination(t, cfg, "")}
			},
			wantCode: exitFailed, wantReason: destination.ReasonClientCertRejected, wantFailed: check.ClientAuth,
		},
		{
			name: "wrong password is a failed check, not a usage error",
			setup: func(t *testing.T, srv *destinationtest.Server) []string {
				path := writeDestination(t, srv.Destination(t), "")
				b, err := os.ReadFile(path)
				require.NoError(t, err)
				b = []byte(strings.Replace(string(b), "keystorePass: 'changeit'", "keystorePass: '${PASS}'", 1))
				require.NoError(t, os.WriteFile(path, b, 0o600))
				return []string{"--destination", path, "--var", "PASS=Hunter2-secret"}
			},
			wantCode: exitFailed, wantReason: destination.ReasonKeystorePassword, wantFailed: check.Keystore,
		},
		{
			name: "invalid JSON",
			setup: func(t *testing.T, _ *destinationtest.Server) []string {
				path := filepath.Join(t.TempDir(), "bad.json")
				require.NoError(t, os.WriteFile(path, []byte("{url: 'https://x',,}"), 0o600))
				return []string{"--destination", path}
			},
			wantCode: exitUsage, wantReason: destination.ReasonConfigInvalid, wantFailed: check.Destination,
		},
		{
			name: "missing file",
			setup: func(t *testing.T, _ *destinationtest.Server) []string {
				return []string{"--destination", filepath.Join(t.TempDir(), "absent.json")}
			},
			wantCode: exitUsage, wantReason: destination.ReasonConfigInvalid, wantFailed: check.Destination,
		},
		{
			name: "malformed --var",
			setup: func(t *testing.T, srv *destinationtest.Server) []string {
				return []string{"--destination", writeDestination(t, srv.Destination(t), ""), "--var", "NOEQUALS"}
			},
			wantCode: exitUsage, wantReason: destination.ReasonConfigInvalid, wantFailed: check.Destination,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t)
			args := append([]string{"check", "--json"}, tt.setup(t, srv)...)
			code, stdout, stderr := runCLI(t, nil, args...)
			assert.Equal(t, tt.wantCode, code, stderr)
			r := decodeCheckReport(t, stdout)
			assert.False(t, r.OK)
			assert.Equal(t, string(tt.wantReason), r.Reason)
			assert.Equal(t, tt.wantFailed, firstFailedCheck(r))
			assert.NotContains(t, stdout+stderr, "Hunter2-secret")

			// Without --json: the same exit code, the report on stdout.
			code, stdout, _ = runCLI(t, nil, append([]string{"check"}, args[2:]...)...)
			assert.Equal(t, tt.wantCode, code)
			assert.Contains(t, stdout, "✗ "+tt.wantFailed)
			assert.Contains(t, stdout, "FAILED ("+string(tt.wantReason)+") at the "+tt.wantFailed+" check")
			assert.NotContains(t, stdout, "Hunter2-secret")
		})
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"check"},
		{"check", "--destination", "x.json", "--nope"},
		{"check", "--destination", "x.json", "extra"},
	} {
		code, stdout, stderr := runCLI(t, nil, args...)
		assert.Equal(t, exitUsage, code, args)
		assert.Empty(t, stdout, args)
		assert.NotEmpty(t, stderr, args)
	}
}

// checkClosedPortURL returns an https URL on loopback where nothing listens.
func checkClosedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "https://" + addr
}

// TestCheckJavaServer runs `courier check` against a real Java (JSSE)
// server with keytool keystores, for each cause the issue names.
func TestCheckJavaServer(t *testing.T) {
	tests := []struct {
		name                  string
		keystore, truststore  string
		pass, extra           string
		closed                bool
		accepted              bool // the server accepts our certificate
		wantCode              int
		wantReason, wantCheck string
		wantText              string // in the human report
	}{
		{name: "all good", keystore: "client-rsa.jks", accepted: true, wantCode: exitOK, wantReason: "ok"},
		{name: "rogue client certificate", keystore: "rogue-client.jks", wantCode: exitFailed,
			wantReason: "client_cert_rejected", wantCheck: check.ClientAuth, wantText: "the server does not accept our CA"},
		{name: "client certificate without its intermediate", keystore: "client-noint.jks", wantCode: exitFailed,
			wantReason: "client_cert_rejected", wantCheck: check.ClientAuth,
			wantText: "likely cause: the intermediate 'CN=courier-test-intermediate'"},
		{name: "untrusted server", keystore: "client-rsa.jks", accepted: true, truststore: "trust-rogue.jks", wantCode: exitFailed,
			wantReason: "server_untrusted", wantCheck: check.ServerTrust, wantText: "fix: import the root 'CN=courier-test-root'"},
		{name: "wrong password", keystore: "client-rsa.jks", pass: "Hunter2-secret", wantCode: exitFailed,
			wantReason: "keystore_password", wantCheck: check.Keystore, wantText: "keystorePass does not open client-rsa.jks"},
		{name: "hostname mismatch", keystore: "client-rsa.jks", accepted: true, extra: "serverName: 'other.example'", wantCode: exitFailed,
			wantReason: "hostname_mismatch", wantCheck: check.Hostname, wantText: "not valid for other.example (serverName)"},
		{name: "closed port", keystore: "client-rsa.jks", closed: true, wantCode: exitFailed,
			wantReason: "connection_failed", wantCheck: check.Connect, wantText: "connection refused"},
	}
	for _, engine := range []string{javatest.EngineHTTPServer, javatest.EngineSocket} {
		for _, proto := range []string{"TLSv1.2", "TLSv1.3"} {
			t.Run(engine+"/"+proto, func(t *testing.T) {
				srv := javatest.Start(t, javatest.Options{Engine: engine, Protocols: []string{proto}})
				for _, tt := range tests {
					t.Run(tt.name, func(t *testing.T) {
						url, trust, pass := srv.URL, "trust.jks", "changeit"
						if tt.closed {
							url = checkClosedPortURL(t)
						}
						if tt.truststore != "" {
							trust = tt.truststore
						}
						if tt.pass != "" {
							pass = tt.pass
						}
						path := writeCheckJavaDestination(t, url, tt.keystore, trust, pass, tt.extra)

						// "all good" waits for a TLS 1.3 verdict as long as an
						// operator's run does; other accepted cases need not.
						args := []string{"check", "--destination", path, "--json"}
						if tt.accepted && tt.name != "all good" {
							args = append(args, "--verdict-wait", "100ms")
						}
						code, stdout, stderr := runCLI(t, nil, args...)
						assert.Equal(t, tt.wantCode, code, stderr)
						r := decodeCheckReport(t, stdout)
						assert.Equal(t, tt.wantReason, r.Reason)
						assert.Equal(t, tt.wantCheck, firstFailedCheck(r))

						// Where the server accepts us, its verdict is silence:
						// the human report need not wait long for it again.
						args = []string{"check", "--destination", path}
						if tt.accepted {
							args = append(args, "--verdict-wait", "100ms")
						}
						code, stdout, _ = runCLI(t, nil, args...)
						assert.Equal(t, tt.wantCode, code)
						assert.Contains(t, stdout, tt.wantText)
						assert.NotContains(t, stdout, "Hunter2-secret")
					})
				}
				assert.Empty(t, srv.Requests(), "check sends no HTTP request")
			})
		}
	}
}
