package check_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/check"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/internal/javatest"
)

// Against a real Java (JSSE) server that requires client certificates,
// with keystores made by keytool: the JDK's HttpsServer, which drops a
// refused connection without an alert, and an SSLServerSocket server,
// which sends the alert; TLS 1.2 and 1.3.

var (
	javaEngines   = []string{javatest.EngineHTTPServer, javatest.EngineSocket}
	javaProtocols = []string{"TLSv1.2", "TLSv1.3"}
)

// javaDestination points at srv with a keytool keystore and trust.jks.
func javaDestination(t *testing.T, url, keystore string) *destination.Config {
	t.Helper()
	return &destination.Config{
		URL:            url + "/in",
		KeystoreFile:   javatest.Fixture(t, keystore),
		KeystorePass:   destination.NewSecret("changeit"),
		TruststoreFile: javatest.Fixture(t, "trust.jks"),
		TruststorePass: destination.NewSecret("changeit"),
	}
}

// javaCase is one way a destination goes wrong, and what check must say.
type javaCase struct {
	name       string
	keystore   string
	edit       func(t *testing.T, cfg *destination.Config)
	wantReason destination.Reason
	wantFailed string
	want       map[string]check.Status
	wantDetail string // in the failed check
}

var javaCases = []javaCase{
	{name: "all good", keystore: "client-rsa.jks", wantReason: destination.ReasonOK},
	{name: "all good, PKCS#12", keystore: "client.p12", wantReason: destination.ReasonOK},
	{
		name: "rogue client certificate", keystore: "rogue-client.jks",
		wantReason: destination.ReasonClientCertRejected, wantFailed: check.ClientAuth,
		want:       map[string]check.Status{check.CertificateRequest: check.Warn},
		wantDetail: "likely cause: the server does not accept our CA; our chain: 'CN=courier-rogue-client' ← 'CN=courier-rogue-root'",
	},
	{
		name: "client certificate without its intermediate", keystore: "client-noint.jks",
		wantReason: destination.ReasonClientCertRejected, wantFailed: check.ClientAuth,
		want:       map[string]check.Status{check.Chain: check.Warn},
		wantDetail: "likely cause: the intermediate 'CN=courier-test-intermediate' that issued 'CN=courier-client-noint' is missing",
	},
	{
		name: "untrusted server", keystore: "client-rsa.jks",
		edit: func(t *testing.T, cfg *destination.Config) {
			cfg.TruststoreFile = javatest.Fixture(t, "trust-rogue.jks")
		},
		wantReason: destination.ReasonServerUntrusted, wantFailed: check.ServerTrust,
		want:       map[string]check.Status{check.ClientAuth: check.Pass},
		wantDetail: "fix: import the root 'CN=courier-test-root' (sha256 ",
	},
	{
		name: "wrong password", keystore: "client-rsa.jks",
		edit:       func(_ *testing.T, cfg *destination.Config) { cfg.KeystorePass = destination.NewSecret("Hunter2") },
		wantReason: destination.ReasonKeystorePassword, wantFailed: check.Keystore,
		want:       map[string]check.Status{check.TLS: check.Pass, check.ClientAuth: check.Skip},
		wantDetail: "keystorePass does not open client-rsa.jks",
	},
	{
		name: "wrong key password", keystore: "client-keypass.jks",
		wantReason: destination.ReasonKeystorePassword, wantFailed: check.Keystore,
		wantDetail: "keyPass",
	},
	{
		name: "hostname mismatch", keystore: "client-rsa.jks",
		edit:       func(_ *testing.T, cfg *destination.Config) { cfg.ServerName = "other.example" },
		wantReason: destination.ReasonHostnameMismatch, wantFailed: check.Hostname,
		want:       map[string]check.Status{check.ServerTrust: check.Pass, check.ClientAuth: check.Pass},
		wantDetail: "it is valid for: localhost, 127.0.0.1, ::1",
	},
	{
		name: "closed port", keystore: "client-rsa.jks",
		edit:       func(t *testing.T, cfg *destination.Config) { cfg.URL = closedPortURL(t) },
		wantReason: destination.ReasonConnectionFailed, wantFailed: check.Connect,
		want:       map[string]check.Status{check.TLS: check.Skip, check.ClientAuth: check.Skip},
		wantDetail: "connection refused",
	},
	{
		name: "expired client certificate", keystore: "client-expired.jks",
		wantReason: destination.ReasonCertExpired, wantFailed: check.Validity,
		wantDetail: "'CN=courier-client-expired' is valid from",
	},
}

func TestJavaServer(t *testing.T) {
	for _, engine := range javaEngines {
		for _, proto := range javaProtocols {
			t.Run(engine+"/"+proto, func(t *testing.T) {
				srv := javatest.Start(t, javatest.Options{Engine: engine, Protocols: []string{proto}})
				for i, tt := range javaCases {
					t.Run(tt.name, func(t *testing.T) {
						cfg := javaDestination(t, srv.URL, tt.keystore)
						if tt.edit != nil {
							tt.edit(t, cfg)
						}
						// The first case keeps the default wait for a TLS 1.3
						// verdict, as the CLI does; in the others that expect
						// acceptance, silence would only cost time.
						var opts []check.Option
						if i > 0 && (tt.wantReason == destination.ReasonOK || tt.want[check.ClientAuth] == check.Pass) {
							opts = append(opts, quickAccept)
						}
						rep := runCheck(t, cfg, opts...)
						requireJavaOutcome(t, rep, tt)
						if tt.wantReason == destination.ReasonOK {
							assert.Contains(t, find(t, rep, check.TLS).Message, "TLS "+proto[len("TLSv"):])
						}
					})
				}
				assert.Empty(t, srv.Requests(), "check sends no HTTP request")
			})
		}
	}
}

func requireJavaOutcome(t *testing.T, rep check.Report, tt javaCase) {
	t.Helper()
	assert.Equal(t, tt.wantReason, rep.Reason)
	if tt.wantReason == destination.ReasonOK {
		for _, c := range rep.Checks {
			assert.Contains(t, []check.Status{check.Pass, check.Warn}, c.Status, "%s: %s", c.Name, c.Message)
		}
		assert.Equal(t, check.Pass, find(t, rep, check.ClientAuth).Status)
		return
	}
	failed, ok := rep.FirstFailure()
	require.True(t, ok)
	assert.Equal(t, tt.wantFailed, failed.Name, failed.Message)
	assert.Contains(t, joined(failed), tt.wantDetail)
	got := statuses(rep)
	for name, want := range tt.want {
		assert.Equal(t, want, got[name], "%s: %s", name, find(t, rep, name).Message)
	}
	assert.NotContains(t, joinedReport(rep), "Hunter2")
}
