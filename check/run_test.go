package check_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/check"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
	"github.com/mtlscourier/courier/internal/javatest"
)

func TestRunAllGood(t *testing.T) {
	for _, tt := range []struct {
		name    string
		version uint16
	}{{"TLS 1.2", tls.VersionTLS12}, {"TLS 1.3", tls.VersionTLS13}} {
		t.Run(tt.name, func(t *testing.T) {
			srv, cfg := newServer(t, destinationtest.WithMaxTLSVersion(tt.version))
			rep := runCheck(t, cfg, quickAccept)
			for _, c := range rep.Checks {
				assert.Equal(t, check.Pass, c.Status, "%s: %s", c.Name, c.Message)
			}
			assert.Equal(t, destination.ReasonOK, rep.Reason)
			assert.Contains(t, find(t, rep, check.TLS).Message, tt.name)
			assert.Contains(t, find(t, rep, check.Keystore).Message, `key entry "client"`)
			assert.Empty(t, srv.Requests(), "check sends no HTTP request")
			full, _ := srv.Handshakes()
			assert.Equal(t, 1, full, "one handshake, with our certificate")
		})
	}
}

func TestRunDoesNotChangeConfig(t *testing.T) {
	_, cfg := newServer(t)
	cfg.Method = "post"
	runCheck(t, cfg, quickAccept)
	assert.Equal(t, "post", cfg.Method)
}

func TestRunNilConfig(t *testing.T) {
	rep := runCheck(t, nil)
	assert.Equal(t, destination.ReasonConfigInvalid, rep.Reason)
	assert.Equal(t, check.Skip, find(t, rep, check.ClientAuth).Status)
}

// TestRunOutcomes provokes each failure against a Go mutual-TLS server and
// checks which check names it, with which reason.
func TestRunOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		server     func(t *testing.T, ca *destinationtest.CA) []destinationtest.ServerOption
		edit       func(t *testing.T, srv *destinationtest.Server, cfg *destination.Config)
		wantReason destination.Reason
		wantFailed string                  // the first failed check
		want       map[string]check.Status // other statuses to check
		wantDetail string                  // a phrase in the first failed (or first warned) check
	}{
		{
			name: "rogue client certificate",
			edit: func(t *testing.T, srv *destinationtest.Server, cfg *destination.Config) {
				rogue := destinationtest.NewCA(t, destinationtest.WithoutIntermediate()).IssueClient(t, "rogue", longLived())
				*cfg = *srv.Destination(t, destinationtest.WithIdentity(rogue))
			},
			wantReason: destination.ReasonClientCertRejected, wantFailed: check.ClientAuth,
			// Every test CA has the same names: the server names ours.
			want:       map[string]check.Status{check.CertificateRequest: check.Pass, check.Chain: check.Pass},
			wantDetail: "the server names our CA 'CN=courier test root, O=courier' yet refused us",
		},
		{
			name: "client certificate without its intermediate",
			edit: func(t *testing.T, srv *destinationtest.Server, cfg *destination.Config) {
				id := srv.CA.IssueClient(t, "noint", longLived()).LeafOnly()
				*cfg = *srv.Destination(t, destinationtest.WithIdentity(id))
			},
			wantReason: destination.ReasonClientCertRejected, wantFailed: check.ClientAuth,
			want:       map[string]check.Status{check.Chain: check.Warn, check.CertificateRequest: check.Warn},
			wantDetail: "likely cause: the intermediate 'CN=courier test intermediate, O=courier'",
		},
		{
			name: "client certificate without its intermediate, TLS 1.2",
			server: func(*testing.T, *destinationtest.CA) []destinationtest.ServerOption {
				return []destinationtest.ServerOption{destinationtest.WithMaxTLSVersion(tls.VersionTLS12)}
			},
			edit: func(t *testing.T, srv *destinationtest.Server, cfg *destination.Config) {
				id := srv.CA.IssueClient(t, "noint", longLived()).LeafOnly()
				*cfg = *srv.Destination(t, destinationtest.WithIdentity(id))
			},
			wantReason: destination.ReasonClientCertRejected, wantFailed: check.ClientAuth,
			want:       map[string]check.Status{check.Chain: check.Warn, check.TLS: check.Pass},
			wantDetail: "likely cause: the intermediate",
		},
		{
			name: "untrusted server",
			server: func(t *testing.T, _ *destinationtest.CA) []destinationtest.ServerOption {
				other := destinationtest.NewCA(t)
				return []destinationtest.ServerOption{destinationtest.WithServerIdentity(other.IssueServerWith(t, nil, longLived()))}
			},
			wantReason: destination.ReasonServerUntrusted, wantFailed: check.ServerTrust,
			want:       map[string]check.Status{check.Hostname: check.Pass, check.ClientAuth: check.Pass},
			wantDetail: "fix: import the CA 'CN=courier test root, O=courier' (ask the partner for it, or for its root), or else 'CN=courier test intermediate, O=courier'",
		},
		{
			name: "untrusted self-signed server",
			server: func(t *testing.T, _ *destinationtest.CA) []destinationtest.ServerOption {
				self := destinationtest.NewCA(t, destinationtest.WithoutIntermediate()).IssueServerWith(t, nil, longLived())
				return []destinationtest.ServerOption{destinationtest.WithServerIdentity(self)}
			},
			wantReason: destination.ReasonServerUntrusted, wantFailed: check.ServerTrust,
			want:       map[string]check.Status{check.ClientAuth: check.Pass},
			wantDetail: "courier keystore trust --url https://127.0.0.1:",
		},
		{
			name: "hostname mismatch",
			edit: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.ServerName = "other.example"
			},
			wantReason: destination.ReasonHostnameMismatch, wantFailed: check.Hostname,
			want:       map[string]check.Status{check.ServerTrust: check.Pass, check.ClientAuth: check.Pass},
			wantDetail: "it is valid for: localhost, 127.0.0.1, ::1",
		},
		{
			name:       "closed port",
			edit:       func(t *testing.T, _ *destinationtest.Server, cfg *destination.Config) { cfg.URL = closedPortURL(t) },
			wantReason: destination.ReasonConnectionFailed, wantFailed: check.Connect,
			want: map[string]check.Status{check.DNS: check.Pass, check.TLS: check.Skip, check.ServerTrust: check.Skip,
				check.ClientAuth: check.Skip, check.Keystore: check.Pass},
			wantDetail: "connection refused",
		},
		{
			name: "wrong keystore password",
			edit: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.KeystorePass = destination.NewSecret("Hunter2")
			},
			wantReason: destination.ReasonKeystorePassword, wantFailed: check.Keystore,
			want: map[string]check.Status{check.Chain: check.Skip, check.Validity: check.Skip, check.TLS: check.Pass,
				check.ClientAuth: check.Skip},
			wantDetail: "keystorePass does not open client.jks",
		},
		{
			name: "wrong key password",
			edit: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.KeyPass = destination.NewSecret("Hunter2")
			},
			wantReason: destination.ReasonKeystorePassword, wantFailed: check.Keystore,
			wantDetail: "keyPass",
		},
		{
			name:       "no such key alias",
			edit:       func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) { cfg.KeyAlias = "nope" },
			wantReason: destination.ReasonKeyNotFound, wantFailed: check.Keystore,
			wantDetail: "keyAlias",
		},
		{
			name: "wrong truststore password",
			edit: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.TruststorePass = destination.NewSecret("Hunter2")
			},
			wantReason: destination.ReasonKeystorePassword, wantFailed: check.Truststore,
			want:       map[string]check.Status{check.ServerTrust: check.Skip, check.Hostname: check.Pass, check.ClientAuth: check.Pass},
			wantDetail: "truststorePass does not open truststore.jks",
		},
		{
			name: "expired client certificate",
			edit: func(t *testing.T, srv *destinationtest.Server, cfg *destination.Config) {
				now := time.Now()
				old := srv.CA.IssueClient(t, "old", destinationtest.ValidBetween(now.Add(-48*time.Hour), now.Add(-24*time.Hour)))
				*cfg = *srv.Destination(t, destinationtest.WithIdentity(old))
			},
			wantReason: destination.ReasonCertExpired, wantFailed: check.Validity,
			want:       map[string]check.Status{check.ClientAuth: check.Fail},
			wantDetail: "'CN=old, O=courier' is valid from",
		},
		{
			name: "client certificate about to expire",
			edit: func(t *testing.T, srv *destinationtest.Server, cfg *destination.Config) {
				now := time.Now()
				soon := srv.CA.IssueClient(t, "soon", destinationtest.ValidBetween(now.Add(-time.Hour), now.Add(10*24*time.Hour+time.Hour)))
				*cfg = *srv.Destination(t, destinationtest.WithIdentity(soon))
			},
			wantReason: destination.ReasonOK,
			want:       map[string]check.Status{check.Validity: check.Warn, check.ClientAuth: check.Pass},
			wantDetail: "'CN=soon, O=courier' expires in 10 days",
		},
		{
			name: "server certificate used as a client certificate",
			edit: func(t *testing.T, srv *destinationtest.Server, cfg *destination.Config) {
				*cfg = *srv.Destination(t, destinationtest.WithIdentity(srv.CA.IssueServerWith(t, nil, longLived())))
			},
			wantReason: destination.ReasonClientCertRejected, wantFailed: check.KeyUsage,
			want:       map[string]check.Status{check.ClientAuth: check.Fail},
			wantDetail: "clientAuth",
		},
		{
			name: "server does not ask for a certificate",
			server: func(*testing.T, *destinationtest.CA) []destinationtest.ServerOption {
				return []destinationtest.ServerOption{destinationtest.WithClientAuth(tls.NoClientCert)}
			},
			wantReason: destination.ReasonOK,
			want:       map[string]check.Status{check.CertificateRequest: check.Warn, check.ClientAuth: check.Pass},
			wantDetail: "did not ask for a client certificate",
		},
		{
			name: "no client certificate",
			edit: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.KeystoreFile, cfg.KeystorePass = "", destination.Secret{}
			},
			wantReason: destination.ReasonClientCertRejected, wantFailed: check.ClientAuth,
			want:       map[string]check.Status{check.Keystore: check.Warn, check.Chain: check.Skip},
			wantDetail: "the destination has none",
		},
		{
			name: "no client certificate, TLS 1.2",
			server: func(*testing.T, *destinationtest.CA) []destinationtest.ServerOption {
				return []destinationtest.ServerOption{destinationtest.WithMaxTLSVersion(tls.VersionTLS12)}
			},
			edit: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.KeystoreFile, cfg.KeystorePass = "", destination.Secret{}
			},
			wantReason: destination.ReasonClientCertRejected, wantFailed: check.ClientAuth,
			want:       map[string]check.Status{check.TLS: check.Pass},
			wantDetail: "the destination has none",
		},
		{
			name: "no TLS version in common",
			server: func(*testing.T, *destinationtest.CA) []destinationtest.ServerOption {
				return []destinationtest.ServerOption{destinationtest.WithMaxTLSVersion(tls.VersionTLS12)}
			},
			edit:       func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) { cfg.MinTLSVersion = "1.3" },
			wantReason: destination.ReasonConnectionFailed, wantFailed: check.TLS,
			want:       map[string]check.Status{check.ServerTrust: check.Skip, check.ClientAuth: check.Skip},
			wantDetail: "no TLS version or cipher suite in common",
		},
		{
			name: "empty truststore",
			edit: func(t *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.TruststoreFile = javatest.Fixture(t, "trust-empty.jks")
			},
			wantReason: destination.ReasonServerUntrusted, wantFailed: check.ServerTrust,
			want:       map[string]check.Status{check.Truststore: check.Warn, check.ClientAuth: check.Pass},
			wantDetail: "our truststore holds no certificates",
		},
		{
			name: "system roots",
			edit: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.TruststoreFile, cfg.TruststorePass = "", destination.Secret{}
			},
			wantReason: destination.ReasonServerUntrusted, wantFailed: check.ServerTrust,
			want:       map[string]check.Status{check.Truststore: check.Pass, check.ClientAuth: check.Pass},
			wantDetail: "then set truststoreFile and truststorePass",
		},
		{
			name: "insecureSkipVerify",
			edit: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.TruststoreFile, cfg.TruststorePass, cfg.InsecureSkipVerify = "", destination.Secret{}, true
			},
			wantReason: destination.ReasonOK,
			want:       map[string]check.Status{check.Truststore: check.Warn, check.ServerTrust: check.Warn, check.Hostname: check.Warn},
			wantDetail: "insecureSkipVerify is true",
		},
		{
			name: "invalid destination",
			edit: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.URL, cfg.Method = "", "PUT"
			},
			wantReason: destination.ReasonConfigInvalid, wantFailed: check.Destination,
			want:       map[string]check.Status{check.Keystore: check.Skip, check.ClientAuth: check.Skip},
			wantDetail: `field "method"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca := destinationtest.NewCA(t)
			opts := []destinationtest.ServerOption{
				destinationtest.WithCA(ca), destinationtest.WithServerIdentity(ca.IssueServerWith(t, nil, longLived())),
			}
			if tt.server != nil {
				opts = append(opts, tt.server(t, ca)...)
			}
			srv := destinationtest.NewServer(t, opts...)
			cfg := srv.Destination(t, destinationtest.WithIdentity(ca.IssueClient(t, destinationtest.ClientCommonName, longLived())))
			if tt.edit != nil {
				tt.edit(t, srv, cfg)
			}
			var runOpts []check.Option
			if tt.wantReason == destination.ReasonOK || tt.want[check.ClientAuth] == check.Pass {
				runOpts = append(runOpts, quickAccept)
			}
			rep := runCheck(t, cfg, runOpts...)

			assert.Equal(t, tt.wantReason, rep.Reason)
			got := statuses(rep)
			for name, want := range tt.want {
				assert.Equal(t, want, got[name], "%s: %s", name, find(t, rep, name).Message)
			}
			var shown check.Result
			if tt.wantFailed != "" {
				failed, ok := rep.FirstFailure()
				require.True(t, ok)
				assert.Equal(t, tt.wantFailed, failed.Name, failed.Message)
				shown = failed
			} else {
				for _, c := range rep.Checks {
					if c.Status == check.Warn {
						shown = c
						break
					}
				}
			}
			assert.Contains(t, joined(shown), tt.wantDetail)
			assert.NotContains(t, joinedReport(rep), "Hunter2")
			assert.Empty(t, srv.Requests(), "check sends no HTTP request")
		})
	}
}

func joinedReport(rep check.Report) string {
	s := ""
	for _, c := range rep.Checks {
		s += joined(c) + "\n"
	}
	return s
}

func TestRunNotTLS(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	_, cfg := newServer(t)
	cfg.URL = "https://" + plain.Listener.Addr().String()
	rep := runCheck(t, cfg)
	failed, ok := rep.FirstFailure()
	require.True(t, ok)
	assert.Equal(t, check.TLS, failed.Name)
	assert.Equal(t, destination.ReasonConnectionFailed, rep.Reason)
	assert.Contains(t, failed.Message, "does not speak TLS")
}

func TestRunUnresolvableHost(t *testing.T) {
	_, cfg := newServer(t)
	cfg.URL = "https://courier-check.invalid/in" // RFC 2606: never resolves
	rep := runCheck(t, cfg)
	failed, ok := rep.FirstFailure()
	require.True(t, ok)
	assert.Equal(t, check.DNS, failed.Name)
	assert.Equal(t, destination.ReasonConnectionFailed, rep.Reason)
	assert.Equal(t, check.Skip, find(t, rep, check.Connect).Status)
	assert.Contains(t, find(t, rep, check.ClientAuth).Message, "the dns check failed")
}

func TestRunFile(t *testing.T) {
	srv, cfg := newServer(t)
	dir := t.TempDir()
	write := func(name, doc string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
		return path
	}
	good := write("good.json", `{url: '`+srv.URL+`/in', keystoreFile: '`+cfg.KeystoreFile+`', keystorePass: '${PASS}',
		truststoreFile: '`+cfg.TruststoreFile+`', truststorePass: 'changeit'}`)
	bad := write("bad.json", `{url: 'ftp://x', method: 'PUT', keystorePass: 'Hunter2'}`)

	tests := []struct {
		name       string
		path       string
		opts       []check.Option
		wantReason destination.Reason
		wantLines  int // detail lines of the destination check, at least
	}{
		{name: "vars", path: good, opts: []check.Option{quickAccept, check.WithParseOptions(destination.WithVars(map[string]string{"PASS": "changeit"}))},
			wantReason: destination.ReasonOK},
		{name: "undefined var", path: good, wantReason: destination.ReasonConfigInvalid, wantLines: 2},
		{name: "every problem", path: bad, wantReason: destination.ReasonConfigInvalid, wantLines: 4},
		{name: "missing file", path: filepath.Join(dir, "absent.json"), wantReason: destination.ReasonConfigInvalid, wantLines: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noEnv := check.WithParseOptions(destination.WithLookupEnv(func(string) (string, bool) { return "", false }))
			rep := check.RunFile(context.Background(), tt.path, append(tt.opts, noEnv)...)
			requireShape(t, rep)
			assert.Equal(t, tt.wantReason, rep.Reason)
			res := find(t, rep, check.Destination)
			assert.GreaterOrEqual(t, len(res.Detail), tt.wantLines, joined(res))
			assert.NotContains(t, joinedReport(rep), "Hunter2")
		})
	}
}

func TestRunPlainHTTP(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	rep := runCheck(t, &destination.Config{URL: plain.URL + "/in"})
	assert.Equal(t, destination.ReasonOK, rep.Reason)
	got := statuses(rep)
	assert.Equal(t, check.Warn, got[check.Destination])
	assert.Equal(t, check.Pass, got[check.Connect])
	assert.Equal(t, check.Skip, got[check.TLS])
	assert.Equal(t, check.Skip, got[check.ClientAuth])
	assert.Contains(t, find(t, rep, check.ClientAuth).Message, "plain http")
}

func TestRunWithClock(t *testing.T) {
	_, cfg := newServer(t) // certificates valid for 90 days
	tests := []struct {
		name         string
		ahead        time.Duration
		wantValidity check.Status
		wantReason   destination.Reason
	}{
		{name: "today", ahead: 0, wantValidity: check.Pass, wantReason: destination.ReasonOK},
		{name: "in 80 days", ahead: 80 * 24 * time.Hour, wantValidity: check.Warn, wantReason: destination.ReasonOK},
		{name: "in 100 days", ahead: 100 * 24 * time.Hour, wantValidity: check.Fail, wantReason: destination.ReasonCertExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := time.Now().Add(tt.ahead)
			rep := runCheck(t, cfg, quickAccept, check.WithClock(func() time.Time { return at }))
			assert.Equal(t, tt.wantValidity, find(t, rep, check.Validity).Status)
			assert.Equal(t, tt.wantValidity, find(t, rep, check.ServerTrust).Status, "the server's certificate lives as long")
			assert.Equal(t, tt.wantReason, rep.Reason)
		})
	}
}
