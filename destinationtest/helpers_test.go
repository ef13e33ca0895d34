package destinationtest_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mtlscourier/courier/destinationtest"
)

// clientOptions tune newClient.
type clientOptions struct {
	identity     *destinationtest.Identity // nil: no client certificate
	sessionCache bool
	serverName   string
	timeout      time.Duration
}

// newClient returns an HTTP client that trusts s's CA.
func newClient(t *testing.T, s *destinationtest.Server, o clientOptions) *http.Client {
	t.Helper()
	cfg := &tls.Config{RootCAs: s.CA.Pool(), ServerName: o.serverName}
	if o.identity != nil {
		cfg.Certificates = []tls.Certificate{o.identity.TLSCertificate()}
	}
	if o.sessionCache {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	tr := &http.Transport{TLSClientConfig: cfg}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: o.timeout}
}

// get sends a GET to url and returns the status and body. It makes no
// assertions, so goroutines may call it.
func get(t *testing.T, c *http.Client, url string) (int, string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}
