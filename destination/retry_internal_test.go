package destination

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffHonoursRetryAfterCappedByWaitMax(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	c := &Client{now: func() time.Time { return now }, logger: discardLogger()}
	tests := []struct {
		name       string
		retryAfter string
		want       time.Duration
	}{
		{"seconds", "3", 3 * time.Second},
		{"seconds above the cap", "3600", 10 * time.Second},
		{"HTTP date", now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second},
		{"HTTP date above the cap", now.Add(time.Hour).Format(http.TimeFormat), 10 * time.Second},
		{"HTTP date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {tt.retryAfter}}}
			assert.Equal(t, tt.want, c.backoff(time.Second, 10*time.Second, 0, resp))
		})
	}
}

func TestBackoffGrowsExponentiallyWithJitter(t *testing.T) {
	for attempt, d := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		d *= time.Millisecond
		for range 50 {
			got := exponential(100*time.Millisecond, time.Second, attempt)
			assert.GreaterOrEqual(t, got, d/2, "attempt %d", attempt)
			assert.LessOrEqual(t, got, d, "attempt %d", attempt)
		}
	}
}

func TestCheckRetry(t *testing.T) {
	c := &Client{logger: discardLogger()}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"refused connection", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{"timeout", &url.Error{Op: "Post", Err: os.ErrDeadlineExceeded}, true},
		{"bad certificate alert", &net.OpError{Op: "remote error", Err: tls.AlertError(42)}, false},
		{"certificate required alert", fmt.Errorf("read: %w", &net.OpError{Op: "remote error", Err: tls.AlertError(116)}), false},
		{"unknown authority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, false},
		{"hostname", &tls.CertificateVerificationError{Err: x509.HostnameError{Host: "x"}}, false},
		{"probe verdict", fmt.Errorf("%w: %w", errClientCertRejected, io.EOF), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.checkRetry(context.Background(), nil, tt.err)
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := c.checkRetry(ctx, nil, errors.New("x"))
	assert.False(t, got)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestClassifyReadsRealAlertText(t *testing.T) {
	// crypto/tls wraps a received alert in an unexported type; only its
	// text is readable. Make sure every alert text maps back to its code.
	for code := range 256 {
		err := &net.OpError{Op: "remote error", Err: errors.New(tls.AlertError(uint8(code)).Error())}
		got, ok := remoteAlert(err)
		if tls.AlertError(uint8(code)).Error() == fmt.Sprintf("tls: alert(%d)", code) {
			continue // codes without a name are ambiguous only with themselves
		}
		assert.True(t, ok, code)
		assert.Equal(t, uint8(code), got)
	}
}

func TestRedactURL(t *testing.T) {
	assert.Equal(t, "https://partner.example/in?[REDACTED]", redactURL("https://user:pw@partner.example/in?token=abc#frag"))
	assert.Equal(t, "[unparseable url]", redactURL("https://[::1"))
	assert.Equal(t, "https://partner.example/in/{id}?[REDACTED]", redactURL("https://partner.example/in/%{id}?m=%{payload}"))
}

func TestNewIDIsAVersion4UUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := NewID()
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
		assert.False(t, seen[id])
		seen[id] = true
	}
}
