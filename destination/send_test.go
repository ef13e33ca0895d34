package destination_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// fastRetry keeps retries real but quick.
var fastRetry = destination.WithRetry(destination.Retry{WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond})

func newClient(t *testing.T, cfg *destination.Config, opts ...destination.Option) *destination.Client {
	t.Helper()
	c, err := destination.New(cfg, append([]destination.Option{fastRetry}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

var tlsVersions = []struct {
	name    string
	version uint16
}{{"TLS1.2", tls.VersionTLS12}, {"TLS1.3", tls.VersionTLS13}}

func TestSendDeliversOverMutualTLS(t *testing.T) {
	for _, v := range tlsVersions {
		t.Run(v.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t, destinationtest.WithMaxTLSVersion(v.version))
			client := newClient(t, srv.Destination(t))

			res, err := client.Send(context.Background(), destination.Message{ID: "msg-1", Payload: []byte("<order/>")})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.Status)
			assert.Equal(t, 1, res.Attempts)
			assert.Equal(t, "msg-1", res.ID)
			assert.Equal(t, "ok", string(res.Body))

			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			got := reqs[0]
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, "<order/>", string(got.Body))
			assert.Equal(t, "msg-1", got.Header.Get("Idempotency-Key"))
			assert.Equal(t, destination.DefaultContentType, got.Header.Get("Content-Type"))
			assert.Equal(t, "courier-client", got.ClientSubject)
			assert.Equal(t, v.version, got.TLSVersion)
		})
	}
}

func TestSendRequestShapes(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*destination.Config)
		check  func(t *testing.T, r destinationtest.Request)
		header http.Header
	}{
		{
			name: "POST with params is a form",
			edit: func(c *destination.Config) { c.Params = map[string]string{"message": "%{payload}", "id": "%{id}"} },
			check: func(t *testing.T, r destinationtest.Request) {
				assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
				assert.Equal(t, "a b&c=d", r.Form.Get("message"))
				assert.Equal(t, "id-7", r.Form.Get("id"))
			},
		},
		{
			name: "GET with params is a query",
			edit: func(c *destination.Config) {
				c.Method = "GET"
				c.Params = map[string]string{"message": "%{payload}"}
			},
			check: func(t *testing.T, r destinationtest.Request) {
				assert.Equal(t, http.MethodGet, r.Method)
				assert.Empty(t, r.Body)
				assert.Contains(t, r.RawQuery, "message=a+b%26c%3Dd")
			},
		},
		{
			name: "templates in url and headers",
			edit: func(c *destination.Config) {
				c.URL += "/in/%{id}?m=%{payload}"
				c.Headers = map[string]string{"X-Msg": "id=%{id}"}
				c.IDHeader = "X-Request-Id"
				c.ContentType = "application/xml"
			},
			check: func(t *testing.T, r destinationtest.Request) {
				assert.Equal(t, "/in/id-7", r.Path)
				assert.Equal(t, "m=a+b%26c%3Dd", r.RawQuery)
				assert.Equal(t, "id=id-7", r.Header.Get("X-Msg"))
				assert.Equal(t, "id-7", r.Header.Get("X-Request-Id"))
				assert.Equal(t, "application/xml", r.Header.Get("Content-Type"))
				assert.Equal(t, "a b&c=d", string(r.Body))
			},
		},
		{
			name: "basic auth and message headers",
			edit: func(c *destination.Config) {
				c.Username = "neo"
				c.Password = destination.NewSecret("s3cret")
			},
			header: http.Header{"X-Extra": {"1"}},
			check: func(t *testing.T, r destinationtest.Request) {
				assert.Equal(t, "Basic bmVvOnMzY3JldA==", r.Header.Get("Authorization"))
				assert.Equal(t, "1", r.Header.Get("X-Extra"))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t)
			cfg := srv.Destination(t)
			tt.edit(cfg)
			client := newClient(t, cfg)
			_, err := client.Send(context.Background(), destination.Message{ID: "id-7", Payload: []byte("a b&c=d"), Header: tt.header})
			require.NoError(t, err)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			tt.check(t, reqs[0])
		})
	}
}

func TestSendRefusesToDropThePayload(t *testing.T) {
	srv := destinationtest.NewServer(t)
	cfg := srv.Destination(t)
	cfg.Params = map[string]string{"static": "1"}
	client := newClient(t, cfg)

	_, err := client.Send(context.Background(), destination.Message{Payload: []byte("important")})
	require.Error(t, err)
	assert.Equal(t, destination.ReasonConfigInvalid, destination.ReasonOf(err))
	assert.Empty(t, srv.Requests(), "nothing may be sent when the payload would be lost")
}

func TestSendGeneratesOneIDForAllRetries(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(2, http.StatusServiceUnavailable, "0")
	client := newClient(t, srv.Destination(t))

	res, err := client.Send(context.Background(), destination.Message{Payload: []byte("x")})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Attempts)
	assert.Len(t, res.ID, 36)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Equal(t, res.ID, r.Header.Get("Idempotency-Key"))
		assert.Equal(t, "x", string(r.Body))
	}
}

func TestSendRetryPolicy(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		wantAttempts int
		wantOK       bool
	}{
		{"503 is retried", http.StatusServiceUnavailable, 2, true},
		{"429 is retried", http.StatusTooManyRequests, 2, true},
		{"408 is retried", http.StatusRequestTimeout, 2, true},
		{"500 is retried", http.StatusInternalServerError, 2, true},
		{"501 is not", http.StatusNotImplemented, 1, false},
		{"400 is not", http.StatusBadRequest, 1, false},
		{"403 is not", http.StatusForbidden, 1, false},
		{"409 is not", http.StatusConflict, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t)
			srv.FailNext(1, tt.status, "")
			client := newClient(t, srv.Destination(t))
			res, err := client.Send(context.Background(), destination.Message{Payload: []byte("x")})
			assert.Equal(t, tt.wantAttempts, res.Attempts)
			assert.Len(t, srv.Requests(), tt.wantAttempts)
			if tt.wantOK {
				require.NoError(t, err)
				return
			}
			de := requireReason(t, err, destination.ReasonHTTPStatus)
			assert.Equal(t, tt.status, de.Status)
			assert.Equal(t, tt.status, res.Status)
		})
	}
}

func TestSendGivesUpAfterMaxAttempts(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(10, http.StatusBadGateway, "0")
	cfg := srv.Destination(t)
	cfg.Retry.MaxAttempts = 3
	client := newClient(t, cfg)

	res, err := client.Send(context.Background(), destination.Message{Payload: []byte("x")})
	de := requireReason(t, err, destination.ReasonHTTPStatus)
	assert.Equal(t, http.StatusBadGateway, de.Status)
	assert.Equal(t, 3, res.Attempts)
	assert.Len(t, srv.Requests(), 3)
}

func TestSendStreamsLargeBodiesFromAFile(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(1, http.StatusServiceUnavailable, "0")
	client := newClient(t, srv.Destination(t))

	payload := strings.Repeat("0123456789abcdef", 256<<10) // 4 MiB
	path := filepath.Join(t.TempDir(), "big.bin")
	require.NoError(t, os.WriteFile(path, []byte(payload), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()

	res, err := client.Send(context.Background(), destination.Message{Body: f, Size: int64(len(payload))})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Attempts)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, len(payload), len(r.Body), "every attempt re-reads the whole file")
		assert.Equal(t, "100-continue", r.Header.Get("Expect"))
	}
	assert.Equal(t, payload, string(reqs[1].Body))
}

func TestSendReusesConnectionsAndSessions(t *testing.T) {
	srv := destinationtest.NewServer(t)
	client := newClient(t, srv.Destination(t))
	for range 10 {
		_, err := client.Send(context.Background(), destination.Message{Payload: []byte("x")})
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Connections(), "keep-alive: ten messages, one connection")

	require.NoError(t, client.Close()) // drops the idle connection, keeps the TLS session
	_, err := client.Send(context.Background(), destination.Message{Payload: []byte("x")})
	require.NoError(t, err)
	full, resumed := srv.Handshakes()
	assert.Equal(t, 1, full)
	assert.Equal(t, 1, resumed, "the second connection resumes the TLS session")
}
