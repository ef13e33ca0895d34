package destinationtest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destinationtest"
)

func TestServerRequiresClientCertificate(t *testing.T) {
	other := destinationtest.NewCA(t)
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		s := destinationtest.NewServer(t, destinationtest.WithMaxTLSVersion(version))
		tests := []struct {
			name     string
			identity *destinationtest.Identity
			wantOp   string // the *net.OpError's Op; "" means success
		}{
			{name: "own CA", identity: s.ClientIdentity(t)},
			{name: "no certificate", wantOp: "remote error"},
			{name: "another CA", identity: other.IssueClient(t, "stranger"), wantOp: "remote error"},
			// The Go client sends nothing when its chain does not reach a CA
			// the server names, so the server sees no certificate at all.
			{name: "leaf without intermediate", identity: s.ClientIdentity(t).LeafOnly(), wantOp: "remote error"},
		}
		for _, tt := range tests {
			t.Run(tls.VersionName(version)+"/"+tt.name, func(t *testing.T) {
				status, body, err := get(t, newClient(t, s, clientOptions{identity: tt.identity}), s.URL)
				if tt.wantOp == "" {
					require.NoError(t, err)
					assert.Equal(t, http.StatusOK, status)
					assert.Equal(t, "ok", body)
					return
				}
				var opErr *net.OpError
				require.ErrorAs(t, err, &opErr)
				assert.Equal(t, tt.wantOp, opErr.Op)
			})
		}
		reqs := s.Requests()
		require.Len(t, reqs, 1, "rejected clients are not recorded")
		assert.Equal(t, destinationtest.ClientCommonName, reqs[0].ClientSubject)
		assert.Equal(t, version, reqs[0].TLSVersion)
	}
}

func TestServerRecordsRequests(t *testing.T) {
	s := destinationtest.NewServer(t, destinationtest.WithHandler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body) // the handler still sees the body
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(body)
		})))
	c := newClient(t, s, clientOptions{identity: s.ClientIdentity(t)})
	form := url.Values{"payload": {"hello"}, "kind": {"order"}}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/in?kind=query", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Idempotency-Key", "msg-1")
	resp, err := c.Do(req)
	require.NoError(t, err)
	echoed, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, form.Encode(), string(echoed))

	reqs := s.Requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/in", got.Path)
	assert.Equal(t, "kind=query", got.RawQuery)
	assert.Equal(t, strings.TrimPrefix(s.URL, "https://"), got.Host)
	assert.Equal(t, "msg-1", got.Header.Get("Idempotency-Key"))
	assert.Equal(t, form.Encode(), string(got.Body))
	assert.Equal(t, []string{"order", "query"}, got.Form["kind"], "body values come first")
	assert.Equal(t, "hello", got.Form.Get("payload"))
	assert.Equal(t, destinationtest.ClientCommonName, got.ClientSubject)
	assert.Equal(t, uint16(tls.VersionTLS13), got.TLSVersion)

	got.Body[0] = 'X'
	got.Header.Set("Idempotency-Key", "changed")
	assert.Equal(t, form.Encode(), string(s.Requests()[0].Body), "Requests returns copies")
	assert.Equal(t, "msg-1", s.Requests()[0].Header.Get("Idempotency-Key"))
}

func TestServerFailNextThenSucceeds(t *testing.T) {
	s := destinationtest.NewServer(t)
	s.FailNext(2, http.StatusServiceUnavailable, "3")
	s.FailNext(1, http.StatusTooManyRequests, "")
	c := newClient(t, s, clientOptions{identity: s.ClientIdentity(t)})
	want := []struct {
		status     int
		retryAfter string
	}{
		{http.StatusServiceUnavailable, "3"},
		{http.StatusServiceUnavailable, "3"},
		{http.StatusTooManyRequests, ""},
		{http.StatusOK, ""},
	}
	for i, w := range want {
		resp, err := c.Get(s.URL)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, w.status, resp.StatusCode, "response %d", i)
		assert.Equal(t, w.retryAfter, resp.Header.Get("Retry-After"), "response %d", i)
	}
	assert.Len(t, s.Requests(), len(want), "failed requests are recorded too")
	assert.Panics(t, func() { s.FailNext(1, 42, "") })
}

func TestServerDelayHitsClientTimeout(t *testing.T) {
	s := destinationtest.NewServer(t)
	s.Delay(time.Minute) // Close ends the delay: the test does not wait for it
	c := newClient(t, s, clientOptions{identity: s.ClientIdentity(t), timeout: 200 * time.Millisecond})
	_, _, err := get(t, c, s.URL)
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout())

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reqs, err := s.WaitForRequests(ctx, 1)
	require.NoError(t, err)
	assert.Len(t, reqs, 1, "a request that timed out still arrived")

	s.Delay(0)
	status, _, err := get(t, c, s.URL)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
}

func TestServerWaitForRequests(t *testing.T) {
	s := destinationtest.NewServer(t)
	c := newClient(t, s, clientOptions{identity: s.ClientIdentity(t)})
	sent := make(chan error, 1)
	go func() {
		_, _, err := get(t, c, s.URL+"/later")
		sent <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reqs, err := s.WaitForRequests(ctx, 1)
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	assert.Equal(t, "/later", reqs[0].Path)
	require.NoError(t, <-sent)

	short, cancelShort := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelShort()
	reqs, err = s.WaitForRequests(short, 2)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, reqs, 1, "returns what arrived")
}

func TestServerReusesConnectionsAndSessions(t *testing.T) {
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(version), func(t *testing.T) {
			s := destinationtest.NewServer(t, destinationtest.WithMaxTLSVersion(version))
			c := newClient(t, s, clientOptions{identity: s.ClientIdentity(t), sessionCache: true})
			for range 3 {
				status, _, err := get(t, c, s.URL)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, status)
			}
			assert.Equal(t, 1, s.Connections(), "keep-alive: one connection for sequential requests")

			c.CloseIdleConnections() // the next request needs a new connection
			_, _, err := get(t, c, s.URL)
			require.NoError(t, err)
			assert.Equal(t, 2, s.Connections())
			full, resumed := s.Handshakes()
			assert.Equal(t, 1, full)
			assert.Equal(t, 1, resumed, "the second connection resumed the TLS session")
			for _, r := range s.Requests() {
				assert.Equal(t, version, r.TLSVersion)
			}
		})
	}
}

func TestServerWithoutSessionCacheDoesFullHandshakes(t *testing.T) {
	s := destinationtest.NewServer(t)
	c := newClient(t, s, clientOptions{identity: s.ClientIdentity(t)})
	for range 2 {
		_, _, err := get(t, c, s.URL)
		require.NoError(t, err)
		c.CloseIdleConnections()
	}
	full, resumed := s.Handshakes()
	assert.Equal(t, 2, full)
	assert.Zero(t, resumed)
}

func TestServerOptions(t *testing.T) {
	ca := destinationtest.NewCA(t)
	other := destinationtest.NewCA(t, destinationtest.WithoutIntermediate())

	t.Run("WithCA", func(t *testing.T) {
		s := destinationtest.NewServer(t, destinationtest.WithCA(ca))
		assert.Same(t, ca, s.CA)
		status, _, err := get(t, newClient(t, s, clientOptions{identity: ca.IssueClient(t, "early")}), s.URL)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, status)
	})
	t.Run("WithClientCAs rejects the server's own clients", func(t *testing.T) {
		s := destinationtest.NewServer(t, destinationtest.WithCA(ca), destinationtest.WithClientCAs(other.Pool()),
			destinationtest.WithMaxTLSVersion(tls.VersionTLS12))
		_, _, err := get(t, newClient(t, s, clientOptions{identity: s.ClientIdentity(t)}), s.URL)
		var opErr *net.OpError
		require.ErrorAs(t, err, &opErr)
		assert.Equal(t, "remote error", opErr.Op)

		_, _, err = get(t, newClient(t, s, clientOptions{identity: other.IssueClient(t, "partner")}), s.URL)
		require.NoError(t, err)
	})
	t.Run("WithServerIdentity from another CA is untrusted", func(t *testing.T) {
		s := destinationtest.NewServer(t, destinationtest.WithCA(ca),
			destinationtest.WithServerIdentity(other.IssueServer(t)))
		_, _, err := get(t, newClient(t, s, clientOptions{identity: s.ClientIdentity(t)}), s.URL)
		var unknown x509.UnknownAuthorityError
		require.ErrorAs(t, err, &unknown)
	})
	t.Run("WithServerIdentity for another host mismatches", func(t *testing.T) {
		s := destinationtest.NewServer(t, destinationtest.WithCA(ca),
			destinationtest.WithServerIdentity(ca.IssueServer(t, "partner.example")))
		_, _, err := get(t, newClient(t, s, clientOptions{identity: s.ClientIdentity(t)}), s.URL)
		var hostErr x509.HostnameError
		require.ErrorAs(t, err, &hostErr)
		assert.Equal(t, "127.0.0.1", hostErr.Host)
	})
	t.Run("WithClientAuth NoClientCert", func(t *testing.T) {
		s := destinationtest.NewServer(t, destinationtest.WithClientAuth(tls.NoClientCert))
		status, _, err := get(t, newClient(t, s, clientOptions{}), s.URL)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, status)
		assert.Empty(t, s.Requests()[0].ClientSubject)
	})
	t.Run("WithMinTLSVersion refuses older clients", func(t *testing.T) {
		s := destinationtest.NewServer(t, destinationtest.WithMinTLSVersion(tls.VersionTLS13))
		c := newClient(t, s, clientOptions{identity: s.ClientIdentity(t)})
		c.Transport.(*http.Transport).TLSClientConfig.MaxVersion = tls.VersionTLS12
		_, _, err := get(t, c, s.URL)
		var opErr *net.OpError
		require.ErrorAs(t, err, &opErr)
		assert.Equal(t, "remote error", opErr.Op)
	})
}

func TestServerInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []destinationtest.ServerOption
	}{
		{name: "nil CA", opts: []destinationtest.ServerOption{destinationtest.WithCA(nil)}},
		{name: "nil handler", opts: []destinationtest.ServerOption{destinationtest.WithHandler(nil)}},
		{name: "nil client CAs", opts: []destinationtest.ServerOption{destinationtest.WithClientCAs(nil)}},
		{name: "empty identity", opts: []destinationtest.ServerOption{destinationtest.WithServerIdentity(&destinationtest.Identity{})}},
		{name: "bad version", opts: []destinationtest.ServerOption{destinationtest.WithMaxTLSVersion(0x0400)}},
		{name: "bad client auth", opts: []destinationtest.ServerOption{destinationtest.WithClientAuth(99)}},
		{name: "min above max", opts: []destinationtest.ServerOption{
			destinationtest.WithMinTLSVersion(tls.VersionTLS13), destinationtest.WithMaxTLSVersion(tls.VersionTLS12)}},
		{name: "nil option", opts: []destinationtest.ServerOption{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := destinationtest.Run(func(tb destinationtest.TB) error {
				destinationtest.NewServer(tb, tt.opts...)
				return errors.New("NewServer returned")
			})
			require.ErrorIs(t, err, destinationtest.ErrInvalidOption)
		})
	}
}

func TestServerClose(t *testing.T) {
	s := destinationtest.NewServer(t)
	c := newClient(t, s, clientOptions{identity: s.ClientIdentity(t)})
	s.Delay(time.Hour)
	sent := make(chan error, 1)
	go func() {
		_, _, err := get(t, c, s.URL)
		sent <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.WaitForRequests(ctx, 1)
	require.NoError(t, err)
	s.Close() // ends the delayed handler instead of waiting an hour
	require.Error(t, <-sent)
	s.Close() // twice is fine
	_, _, err = get(t, c, s.URL)
	require.Error(t, err)
}
