package destination_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/internal/javatest"
)

// Interop with a real Java (JSSE) server that requires client certificates,
// using keystores made by keytool. Two Java servers: the JDK's HttpsServer,
// which drops a refused connection without a TLS alert, and an
// SSLServerSocket server that sends the alert as servlet containers do.

var javaEngines = []string{javatest.EngineHTTPServer, javatest.EngineSocket}

var javaProtocols = []string{"TLSv1.2", "TLSv1.3"}

// javaDestination is a destination for srv using the keytool fixtures.
func javaDestination(t *testing.T, srv *javatest.Server, keystore string) *destination.Config {
	t.Helper()
	cfg := &destination.Config{
		URL:            srv.URL + "/in",
		TruststoreFile: javatest.Fixture(t, "trust.jks"),
		TruststorePass: destination.NewSecret("changeit"),
	}
	if keystore != "" {
		cfg.KeystoreFile = javatest.Fixture(t, keystore)
		cfg.KeystorePass = destination.NewSecret("changeit")
	}
	return cfg
}

func TestJavaServerAcceptsEveryKeystoreKind(t *testing.T) {
	keystores := []struct {
		file string
		edit func(*destination.Config)
	}{
		{file: "client-rsa.jks"},
		{file: "client-ec.jks"},
		{file: "client.p12"},
		{file: "client-trusting.p12"},
		{file: "client-legacy.p12"},
		{file: "client-keypass.jks", edit: func(c *destination.Config) { c.KeyPass = destination.NewSecret("keypass1") }},
		{file: "client-multi.jks", edit: func(c *destination.Config) { c.KeyAlias = "BETA" }},
		{file: "", edit: func(c *destination.Config) {
			c.CertFile, c.KeyFile = javatest.Fixture(t, "client.crt"), javatest.Fixture(t, "client.key")
		}},
	}
	for _, proto := range javaProtocols {
		t.Run(proto, func(t *testing.T) {
			srv := javatest.Start(t, javatest.Options{Protocols: []string{proto}})
			for _, ks := range keystores {
				name := ks.file
				if name == "" {
					name = "pem"
				}
				t.Run(name, func(t *testing.T) {
					cfg := javaDestination(t, srv, ks.file)
					cfg.Params = map[string]string{"message": "%{payload}"}
					if ks.edit != nil {
						ks.edit(cfg)
					}
					res, err := newClient(t, cfg).Send(context.Background(), destination.Message{ID: "java-" + name, Payload: []byte("<a>ü</a>")})
					require.NoError(t, err)
					assert.Equal(t, http.StatusOK, res.Status)

					got := findJavaRequest(t, srv, "java-"+name)
					assert.Equal(t, http.MethodPost, got.Method)
					assert.Equal(t, "/in", got.Path)
					assert.Equal(t, proto, got.Protocol)
					assert.Equal(t, "message=%3Ca%3E%C3%BC%3C%2Fa%3E", string(got.Body))
					assert.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
					assert.NotEmpty(t, got.ClientSubject)
				})
			}
		})
	}
}

func findJavaRequest(t *testing.T, srv *javatest.Server, id string) javatest.Request {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Header.Get("Idempotency-Key") == id {
			return r
		}
	}
	t.Fatalf("the Java server has no request with Idempotency-Key %s", id)
	return javatest.Request{}
}

func TestJavaServerRefusalsAreClassified(t *testing.T) {
	tests := []struct {
		name       string
		keystore   string
		edit       func(*destination.Config)
		payload    int
		want       destination.Reason
		wantDetail string
	}{
		{name: "rogue client certificate", keystore: "rogue-client.jks", want: destination.ReasonClientCertRejected},
		{name: "rogue client certificate, 4 MiB body", keystore: "rogue-client.jks", payload: 4 << 20, want: destination.ReasonClientCertRejected},
		{name: "chain without its intermediate", keystore: "client-noint.jks", want: destination.ReasonClientCertRejected, wantDetail: "intermediate CA is probably missing"},
		{name: "no client certificate", keystore: "", want: destination.ReasonClientCertRejected, wantDetail: "we sent no client certificate"},
		{
			name: "server not trusted", keystore: "client-rsa.jks", want: destination.ReasonServerUntrusted,
			edit: func(c *destination.Config) { c.TruststoreFile = javatestFixture(c, "trust-rogue.jks") },
		},
		{
			name: "hostname mismatch", keystore: "client-rsa.jks", want: destination.ReasonHostnameMismatch,
			edit: func(c *destination.Config) { c.ServerName = "partner.example.com" },
		},
	}
	for _, engine := range javaEngines {
		for _, proto := range javaProtocols {
			t.Run(engine+"/"+proto, func(t *testing.T) {
				srv := javatest.Start(t, javatest.Options{Engine: engine, Protocols: []string{proto}})
				for _, tt := range tests {
					t.Run(tt.name, func(t *testing.T) {
						cfg := javaDestination(t, srv, tt.keystore)
						if tt.edit != nil {
							tt.edit(cfg)
						}
						payload := []byte("x")
						if tt.payload > 0 {
							payload = make([]byte, tt.payload)
						}
						res, err := newClient(t, cfg).Send(context.Background(), destination.Message{Payload: payload})
						de := requireReason(t, err, tt.want)
						assert.Equal(t, 1, res.Attempts, "a refusal is not retried")
						assert.Contains(t, de.Detail, tt.wantDetail)
					})
				}
				assert.Empty(t, srv.Requests(), "no refused request may reach the partner's application")
			})
		}
	}
}

// javatestFixture swaps the file name of a fixture path already in cfg.
func javatestFixture(c *destination.Config, name string) string {
	i := strings.LastIndex(c.TruststoreFile, "/")
	return c.TruststoreFile[:i+1] + name
}

func TestJavaServerRetryAfter(t *testing.T) {
	srv := javatest.Start(t, javatest.Options{Fail: 2, FailStatus: http.StatusServiceUnavailable, RetryAfter: "1"})
	cfg := javaDestination(t, srv, "client-rsa.jks")
	res, err := newClient(t, cfg).Send(context.Background(), destination.Message{ID: "retry-me", Payload: []byte("x")})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Attempts)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Equal(t, "retry-me", r.Header.Get("Idempotency-Key"))
	}
}
