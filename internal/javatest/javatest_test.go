package javatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fixturePass = "changeit"

// testTimeout bounds every request and wait in these tests.
const testTimeout = 30 * time.Second

func TestStartRecordsRequest(t *testing.T) {
	tests := []struct {
		name         string
		opts         Options
		wantProtocol string
	}{
		{name: "TLS 1.3, PKCS12 truststore", opts: Options{}, wantProtocol: "TLSv1.3"},
		{
			name:         "TLS 1.2 only, JKS truststore",
			opts:         Options{Protocols: []string{"TLSv1.2"}, Truststore: Fixture(t, "trust.jks")},
			wantProtocol: "TLSv1.2",
		},
		{name: "socket engine", opts: Options{Engine: EngineSocket}, wantProtocol: "TLSv1.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := Start(t, tt.opts)
			client := newClient(t, clientTLS(t, "client-rsa.jks", false))

			req, err := http.NewRequestWithContext(testContext(t), http.MethodPost,
				srv.URL+"/orders/42?x=1&y=a%20b", strings.NewReader(`{"hello":"wörld"}`))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Courier-Test", "é \"quoted\"")
			req.Header.Add("X-Multi", "one")
			req.Header.Add("X-Multi", "two")
			status, body := do(t, client, req)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, "ok", body)

			reqs, err := srv.WaitForRequests(testContext(t), 1)
			require.NoError(t, err)
			require.Len(t, reqs, 1)
			got := reqs[0]
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, "/orders/42", got.Path)
			assert.Equal(t, "x=1&y=a%20b", got.RawQuery)
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			assert.Equal(t, "é \"quoted\"", got.Header.Get("X-Courier-Test"))
			assert.Equal(t, []string{"one", "two"}, got.Header.Values("X-Multi"))
			assert.Equal(t, `{"hello":"wörld"}`, string(got.Body))
			assert.Equal(t, "CN=courier-client", got.ClientSubject)
			assert.Equal(t, tt.wantProtocol, got.Protocol)
			assert.Equal(t, reqs, srv.Requests())
		})
	}
}

// TestStartRefusesClient logs the exact client-side error of every refusal,
// for both engines: courier classifies them from these.
func TestStartRefusesClient(t *testing.T) {
	tests := []struct {
		name    string
		store   string // "" sends no certificate
		force   bool   // send the certificate even if the server's CA list does not match it
		body    int    // bytes to POST; 0 sends a GET
		version uint16
		// wantServer is the start of what JSSE reports: whether the server
		// got no certificate at all or could not trust the one it got.
		wantServer string
	}{
		{name: "no certificate, TLS 1.3", version: tls.VersionTLS13, wantServer: emptyChain},
		{name: "no certificate, TLS 1.2", version: tls.VersionTLS12, wantServer: emptyChain},
		// In TLS 1.3 the refusal comes after the client's handshake is done,
		// while the client is already writing its body.
		{name: "no certificate, TLS 1.3, 1 MiB POST", body: 1 << 20, version: tls.VersionTLS13, wantServer: emptyChain},
		// Go matches its chain against the server's certificate_authorities
		// and sends nothing when none matches.
		{name: "rogue certificate, TLS 1.3", store: "rogue-client.jks", version: tls.VersionTLS13, wantServer: emptyChain},
		{name: "rogue certificate forced, TLS 1.3", store: "rogue-client.jks", force: true, version: tls.VersionTLS13, wantServer: untrusted},
		{name: "rogue certificate forced, TLS 1.2", store: "rogue-client.jks", force: true, version: tls.VersionTLS12, wantServer: untrusted},
		{name: "chain without intermediate, TLS 1.3", store: "client-noint.jks", version: tls.VersionTLS13, wantServer: emptyChain},
		{name: "chain without intermediate forced, TLS 1.3", store: "client-noint.jks", force: true, version: tls.VersionTLS13, wantServer: untrusted},
		{name: "chain without intermediate forced, TLS 1.2", store: "client-noint.jks", force: true, version: tls.VersionTLS12, wantServer: untrusted},
	}
	for _, engine := range []string{EngineHTTPServer, EngineSocket} {
		t.Run(engine, func(t *testing.T) {
			srv := Start(t, Options{Engine: engine})
			for i, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					cfg := clientTLS(t, tt.store, tt.force)
					cfg.MinVersion, cfg.MaxVersion = tt.version, tt.version
					method, body := http.MethodGet, io.Reader(nil)
					if tt.body > 0 {
						method, body = http.MethodPost, bytes.NewReader(make([]byte, tt.body))
					}
					req, err := http.NewRequestWithContext(testContext(t), method, srv.URL+"/", body)
					require.NoError(t, err)

					resp, err := newClient(t, cfg).Do(req)
					if resp != nil {
						resp.Body.Close()
					}
					require.Error(t, err, "the server must refuse this client")
					kind := refusal(err)
					t.Logf("client error (%s): %v", kind, err)
					if engine == EngineSocket && tt.version == tls.VersionTLS12 {
						assert.Equal(t, "alert", kind, "JSSE's alert ends a TLS 1.2 handshake before any request is written")
					}

					failures, err := srv.WaitForHandshakeFailures(testContext(t), i+1)
					require.NoError(t, err)
					t.Logf("server saw: %s", failures[i])
					assert.True(t, strings.HasPrefix(failures[i], tt.wantServer), "server saw %q, want %q…", failures[i], tt.wantServer)
					assert.Empty(t, srv.Requests())
				})
			}
		})
	}
}

// refusal names how a refused connection looked to the client: "alert" for
// a TLS alert from the server; "eof" or "reset" for a connection the server
// closed without one (or whose alert a reset overtook); "closed" when
// net/http's writer lost the race to its own reader, which had closed the
// connection on the refusal; "idle" for net/http's unexported
// errServerClosedIdle (EOF before the request was written); "" otherwise.
func refusal(err error) string {
	var op *net.OpError
	var urlErr *url.Error
	switch {
	case errors.As(err, &op) && op.Op == "remote error":
		return "alert"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "eof"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "reset"
	case errors.Is(err, net.ErrClosed):
		return "closed"
	case errors.As(err, &urlErr) && urlErr.Err.Error() == "http: server closed idle connection":
		return "idle"
	}
	return ""
}

// JSSE's messages for the two ways a client certificate is refused.
const (
	emptyChain = "Empty client certificate chain"
	untrusted  = "PKIX path building failed"
)

func TestStartWantClientAuthAcceptsAnonymous(t *testing.T) {
	srv := Start(t, Options{ClientAuth: "want"})
	req, err := http.NewRequestWithContext(testContext(t), http.MethodGet, srv.URL+"/anon", nil)
	require.NoError(t, err)

	status, body := do(t, newClient(t, clientTLS(t, "", false)), req)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", body)
	reqs, err := srv.WaitForRequests(testContext(t), 1)
	require.NoError(t, err)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Empty(t, reqs[0].ClientSubject)
	assert.Empty(t, reqs[0].Body)
}

func TestStartFailsFirstRequests(t *testing.T) {
	want := []struct {
		status     int
		retryAfter string
		body       string
	}{
		{status: http.StatusServiceUnavailable, retryAfter: "1", body: "failing on purpose (1 of 2)\n"},
		{status: http.StatusServiceUnavailable, retryAfter: "1", body: "failing on purpose (2 of 2)\n"},
		{status: http.StatusOK, body: "ok"},
	}
	for _, engine := range []string{EngineHTTPServer, EngineSocket} {
		t.Run(engine, func(t *testing.T) {
			srv := Start(t, Options{Engine: engine, Fail: 2, RetryAfter: "1"})
			client := newClient(t, clientTLS(t, "client-ec.jks", false))
			for _, w := range want {
				req, err := http.NewRequestWithContext(testContext(t), http.MethodPost, srv.URL+"/", strings.NewReader("x"))
				require.NoError(t, err)
				resp, err := client.Do(req)
				require.NoError(t, err)
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.NoError(t, err)
				assert.Equal(t, w.status, resp.StatusCode)
				assert.Equal(t, w.retryAfter, resp.Header.Get("Retry-After"))
				assert.Equal(t, w.body, string(body))
			}
			reqs, err := srv.WaitForRequests(testContext(t), 3)
			require.NoError(t, err)
			assert.Len(t, reqs, 3)
			assert.Equal(t, "CN=courier-client-ec", reqs[0].ClientSubject)
		})
	}
}

func TestStartLargeBody(t *testing.T) {
	payload := make([]byte, 1<<20)
	_, err := rand.Read(payload)
	require.NoError(t, err)
	tests := []struct {
		name           string
		expectContinue bool
		chunked        bool // no Content-Length: Go sends Transfer-Encoding: chunked
	}{
		{name: "Expect 100-continue", expectContinue: true},
		{name: "chunked", chunked: true},
	}
	for _, engine := range []string{EngineHTTPServer, EngineSocket} {
		t.Run(engine, func(t *testing.T) {
			srv := Start(t, Options{Engine: engine})
			client := newClient(t, clientTLS(t, "client-rsa.jks", false))
			// Far longer than the test may take: the body must go after the 100, not after the timer.
			client.Transport.(*http.Transport).ExpectContinueTimeout = time.Hour
			for i, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got100 := make(chan struct{}, 1)
					ctx := httptrace.WithClientTrace(testContext(t), &httptrace.ClientTrace{
						Got100Continue: func() { got100 <- struct{}{} },
					})
					var body io.Reader = bytes.NewReader(payload)
					if tt.chunked {
						body = io.MultiReader(body) // hides the length from net/http
					}
					req, err := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL+"/big", body)
					require.NoError(t, err)
					if tt.expectContinue {
						req.Header.Set("Expect", "100-continue")
					}
					status, respBody := do(t, client, req)
					assert.Equal(t, http.StatusOK, status)
					assert.Equal(t, "ok", respBody)
					if tt.expectContinue {
						assert.Len(t, got100, 1, "the server must answer 100 Continue")
					}

					reqs, err := srv.WaitForRequests(testContext(t), i+1)
					require.NoError(t, err)
					got := reqs[i]
					if tt.expectContinue {
						assert.Equal(t, "100-continue", got.Header.Get("Expect"))
					}
					if tt.chunked {
						assert.Equal(t, "chunked", got.Header.Get("Transfer-Encoding"))
					}
					assert.True(t, bytes.Equal(payload, got.Body), "the 1 MiB body must arrive whole, got %d bytes", len(got.Body))
				})
			}
		})
	}
}

func TestWaitForRequestsEndsWithContext(t *testing.T) {
	srv := Start(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	reqs, err := srv.WaitForRequests(ctx, 1)
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, reqs)
}

func TestLaunchReportsEarlyExit(t *testing.T) {
	if !Available() {
		t.Skip("java and javac are not on PATH")
	}
	dir, err := compiled()
	require.NoError(t, err)
	opts, err := Options{KeystorePass: "wrong-password"}.withDefaults()
	require.NoError(t, err)
	s, err := launch(dir, opts)
	require.NoError(t, err)
	t.Cleanup(s.stop)

	_, err = s.waitListening(testContext(t))
	require.ErrorIs(t, err, errExited)
	assert.NotContains(t, err.Error(), "wrong-password", "errors must never carry a password")
}

// clientTLS loads a client key entry from a JKS fixture (none when store is
// "") and trusts the fixture root CA. With force it sends that certificate
// whatever CAs the server names, where Go would otherwise send none.
func clientTLS(t *testing.T, store string, force bool) *tls.Config {
	t.Helper()
	roots := x509.NewCertPool()
	caPEM, err := os.ReadFile(Fixture(t, "ca.pem"))
	require.NoError(t, err)
	require.True(t, roots.AppendCertsFromPEM(caPEM))
	cfg := &tls.Config{RootCAs: roots}
	if store == "" {
		return cfg
	}
	cert := jksKeyEntry(t, Fixture(t, store))
	cfg.Certificates = []tls.Certificate{cert}
	if force {
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	}
	return cfg
}

// jksKeyEntry reads the only private key entry of a JKS file.
func jksKeyEntry(t *testing.T, path string) tls.Certificate {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	ks := jks.New()
	require.NoError(t, ks.Load(f, []byte(fixturePass)))
	for _, alias := range ks.Aliases() {
		if !ks.IsPrivateKeyEntry(alias) {
			continue
		}
		entry, err := ks.GetPrivateKeyEntry(alias, []byte(fixturePass))
		require.NoError(t, err)
		key, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
		require.NoError(t, err)
		cert := tls.Certificate{PrivateKey: key}
		for _, c := range entry.CertificateChain {
			cert.Certificate = append(cert.Certificate, c.Content)
		}
		return cert
	}
	t.Fatalf("no private key entry in %s", path)
	return tls.Certificate{}
}

// newClient is a plain net/http client for cfg whose idle connections close
// with the test.
func newClient(t *testing.T, cfg *tls.Config) *http.Client {
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: false}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: testTimeout}
}

func do(t *testing.T, client *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}
