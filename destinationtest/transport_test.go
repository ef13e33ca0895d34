package destinationtest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// echo answers 200 with the request body and its X-Echo header.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Echo", r.Header.Get("X-Echo"))
	_, _ = w.Write(body)
})

func TestTransportServesHandler(t *testing.T) {
	tr := destinationtest.NewTransport(echo)
	c := &http.Client{Transport: tr}
	form := url.Values{"payload": {"hello"}}
	req, err := http.NewRequest(http.MethodPost, "https://partner.example:8443/in?kind=order", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Echo", "yes")
	resp, err := c.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "200 OK", resp.Status)
	assert.Equal(t, 1, resp.ProtoMajor)
	assert.Equal(t, "yes", resp.Header.Get("X-Echo"))
	assert.Equal(t, form.Encode(), string(body))
	assert.Equal(t, int64(len(body)), resp.ContentLength)
	assert.Same(t, req, resp.Request)

	reqs := tr.Requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "partner.example:8443", got.Host)
	assert.Equal(t, "/in", got.Path)
	assert.Equal(t, "kind=order", got.RawQuery)
	assert.Equal(t, "yes", got.Header.Get("X-Echo"))
	assert.Equal(t, form.Encode(), string(got.Body))
	assert.Equal(t, "hello", got.Form.Get("payload"))
	assert.Equal(t, "order", got.Form.Get("kind"))
	assert.Empty(t, got.ClientSubject)
	assert.Zero(t, got.TLSVersion)
	assert.Equal(t, 1, tr.RoundTrips())
}

func TestTransportDefaultHandler(t *testing.T) {
	c := &http.Client{Transport: destinationtest.NewTransport(nil)}
	resp, err := c.Get("https://partner.example/")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "ok", string(body))
}

func TestTransportFailures(t *testing.T) {
	tests := []struct {
		name   string
		reason destination.Reason
		check  func(t *testing.T, err error) // checks the round trip's error
	}{
		{name: "server untrusted", reason: destination.ReasonServerUntrusted, check: isServerUntrusted},
		{name: "hostname mismatch", reason: destination.ReasonHostnameMismatch, check: isHostnameMismatch("partner.example")},
		{name: "client cert rejected", reason: destination.ReasonClientCertRejected, check: isClientCertRejected},
		{name: "connection failed", reason: destination.ReasonConnectionFailed, check: isConnectionRefused},
		{name: "timeout", reason: destination.ReasonTimeout, check: isTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := destinationtest.NewTransport(echo)
			c := &http.Client{Transport: tr}
			require.NoError(t, tr.FailNext(2, tt.reason))
			for range 2 {
				_, err := c.Post("https://partner.example/in", "text/plain", strings.NewReader("x"))
				var urlErr *url.Error
				require.ErrorAs(t, err, &urlErr, "http.Client wraps it, as it wraps http.Transport's errors")
				tt.check(t, err)
			}
			resp, err := c.Post("https://partner.example/in", "text/plain", strings.NewReader("x"))
			require.NoError(t, err, "then success")
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, 3, tr.RoundTrips())
			assert.Len(t, tr.Requests(), 1, "failed handshakes never reach the server")
		})
	}
}

func TestTransportFailNextStatus(t *testing.T) {
	tr := destinationtest.NewTransport(echo)
	c := &http.Client{Transport: tr}
	require.NoError(t, tr.FailNext(1, destination.ReasonHTTPStatus))
	tr.FailStatus(1, http.StatusTooManyRequests, "2")
	want := []struct {
		status     int
		retryAfter string
	}{{http.StatusServiceUnavailable, ""}, {http.StatusTooManyRequests, "2"}, {http.StatusOK, ""}}
	for i, w := range want {
		resp, err := c.Get("https://partner.example/")
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, w.status, resp.StatusCode, "response %d", i)
		assert.Equal(t, w.retryAfter, resp.Header.Get("Retry-After"), "response %d", i)
	}
	assert.Len(t, tr.Requests(), 3, "status failures arrived")
	assert.Panics(t, func() { tr.FailStatus(1, 0, "") })
}

func TestTransportFailNextRefusesNonWireReasons(t *testing.T) {
	tests := []struct {
		name    string
		reason  destination.Reason
		wantErr error
	}{
		{name: "ok", reason: destination.ReasonOK, wantErr: destinationtest.ErrNotWireFailure},
		{name: "config", reason: destination.ReasonConfigInvalid, wantErr: destinationtest.ErrNotWireFailure},
		{name: "keystore", reason: destination.ReasonKeystoreUnreadable, wantErr: destinationtest.ErrNotWireFailure},
		{name: "password", reason: destination.ReasonKeystorePassword, wantErr: destinationtest.ErrNotWireFailure},
		{name: "key", reason: destination.ReasonKeyNotFound, wantErr: destinationtest.ErrNotWireFailure},
		{name: "expired", reason: destination.ReasonCertExpired, wantErr: destinationtest.ErrNotWireFailure},
		{name: "unknown", reason: "bogus", wantErr: destinationtest.ErrNotWireFailure},
		{name: "timeout", reason: destination.ReasonTimeout, wantErr: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := destinationtest.NewTransport(nil)
			err := tr.FailNext(1, tt.reason)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			_, err = (&http.Client{Transport: tr}).Get("https://partner.example/")
			require.NoError(t, err, "nothing was scripted")
		})
	}
}

func TestTransportFailNextError(t *testing.T) {
	tr := destinationtest.NewTransport(nil)
	certificateRequired := tls.AlertError(116)
	tr.FailNextError(1, destinationtest.RemoteAlertError(certificateRequired))
	_, err := (&http.Client{Transport: tr}).Get("https://partner.example/")
	isClientCertRejected(t, err)
	var alert tls.AlertError
	require.ErrorAs(t, err, &alert)
	assert.Equal(t, certificateRequired, alert)
	assert.Panics(t, func() { tr.FailNextError(1, nil) })
}

func TestTransportContext(t *testing.T) {
	t.Run("canceled before", func(t *testing.T) {
		tr := destinationtest.NewTransport(nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://partner.example/", nil)
		require.NoError(t, err)
		_, err = tr.RoundTrip(req)
		require.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, tr.Requests())
	})
	t.Run("delay outlasts the deadline", func(t *testing.T) {
		tr := destinationtest.NewTransport(nil)
		tr.Delay(time.Minute)
		c := &http.Client{Transport: tr, Timeout: 50 * time.Millisecond}
		_, err := c.Get("https://partner.example/")
		isTimeout(t, err)
	})
	t.Run("blocking handler", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		tr := destinationtest.NewTransport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://partner.example/", nil)
		require.NoError(t, err)
		_, err = tr.RoundTrip(req)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestTransportHandlerPanics(t *testing.T) {
	tests := []struct {
		name    string
		value   any
		wantErr error
	}{
		{name: "abort", value: http.ErrAbortHandler, wantErr: io.ErrUnexpectedEOF},
		{name: "bug", value: "boom", wantErr: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := destinationtest.NewTransport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(tt.value) }))
			_, err := (&http.Client{Transport: tr}).Get("https://partner.example/")
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestTransportWaitForRequests(t *testing.T) {
	tr := destinationtest.NewTransport(nil)
	done := make(chan error, 1)
	go func() {
		_, err := (&http.Client{Transport: tr}).Get("https://partner.example/async")
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reqs, err := tr.WaitForRequests(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "/async", reqs[0].Path)
	require.NoError(t, <-done)

	short, cancelShort := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancelShort()
	_, err = tr.WaitForRequests(short, 5)
	require.True(t, errors.Is(err, context.DeadlineExceeded))
}

// TestTransportErrorTexts checks the messages read as net's own do.
func TestTransportErrorTexts(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		reason destination.Reason
		want   string
	}{
		{name: "dial a name", url: "https://partner.example/in", reason: destination.ReasonConnectionFailed,
			want: "dial tcp partner.example:443: connect: connection refused"},
		{name: "dial an IP and port", url: "https://10.0.0.7:8443/in", reason: destination.ReasonConnectionFailed,
			want: "dial tcp 10.0.0.7:8443: connect: connection refused"},
		{name: "plain http", url: "http://[::1]/", reason: destination.ReasonTimeout,
			want: "read tcp [::1]:80: i/o timeout"},
		{name: "rejected", url: "https://partner.example/", reason: destination.ReasonClientCertRejected,
			want: "remote error: tls: bad certificate"},
		{name: "hostname", url: "https://partner.example/", reason: destination.ReasonHostnameMismatch,
			want: "tls: failed to verify certificate: x509: certificate is valid for courier-simulated.invalid, not partner.example"},
		{name: "untrusted", url: "https://partner.example/", reason: destination.ReasonServerUntrusted,
			want: "tls: failed to verify certificate: x509: certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := destinationtest.NewTransport(nil)
			require.NoError(t, tr.FailNext(1, tt.reason))
			req, err := http.NewRequest(http.MethodGet, tt.url, nil)
			require.NoError(t, err)
			_, err = tr.RoundTrip(req)
			assert.EqualError(t, err, tt.want)
		})
	}
}
