package destination

import (
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client. Options check themselves: a bad one makes New
// fail with config_invalid.
type Option interface {
	apply(*clientOptions) error
}

type optionFunc func(*clientOptions) error

func (f optionFunc) apply(o *clientOptions) error { return f(o) }

type clientOptions struct {
	transport  http.RoundTripper
	httpClient *http.Client
	logger     *slog.Logger
	retry      Retry
	now        func() time.Time
	maxBody    int64
}

// WithTransport sends through rt instead of a network transport built from
// the Config's TLS settings — destinationtest.NewTransport, for example. The
// keystores are still loaded and checked.
func WithTransport(rt http.RoundTripper) Option {
	return optionFunc(func(o *clientOptions) error {
		if rt == nil {
			return errors.New("WithTransport: nil RoundTripper")
		}
		if o.httpClient != nil {
			return errors.New("WithHTTPClient and WithTransport together: use one (set the transport on the http.Client)")
		}
		o.transport = rt
		return nil
	})
}

// WithHTTPClient sends through c as it is (its Transport, Jar, redirect
// policy); the Config's timeout still applies per attempt unless c.Timeout is
// set. The Config's TLS settings are not applied to c: use Client.TLSConfig
// to build c's transport.
func WithHTTPClient(c *http.Client) Option {
	return optionFunc(func(o *clientOptions) error {
		if c == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		if o.transport != nil {
			return errors.New("WithHTTPClient and WithTransport together: use one (set the transport on the http.Client)")
		}
		o.httpClient = c
		return nil
	})
}

// WithLogger logs attempts, retries and failures to l, with the keys
// attempt, status, wait, url (redacted), id and reason. Payloads and
// secrets are never logged. The default is silent.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *clientOptions) error {
		if l == nil {
			return errors.New("WithLogger: nil *slog.Logger")
		}
		o.logger = l
		return nil
	})
}

// WithRetry overrides the Config's retry settings field by field: a zero
// field keeps the Config's value.
func WithRetry(r Retry) Option {
	return optionFunc(func(o *clientOptions) error {
		if r.MaxAttempts < 0 || r.WaitMin < 0 || r.WaitMax < 0 {
			return errors.New("WithRetry: negative values")
		}
		if r.WaitMin > 0 && r.WaitMax > 0 && r.WaitMin > r.WaitMax {
			return errors.New("WithRetry: WaitMin is above WaitMax")
		}
		o.retry = r
		return nil
	})
}

// WithClock makes the client read the time from now: for certificate
// validity and Retry-After dates. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *clientOptions) error {
		if now == nil {
			return errors.New("WithClock: nil func")
		}
		o.now = now
		return nil
	})
}

// WithMaxResponseBody caps how much of a response body Result.Body keeps
// (DefaultMaxResponseBody unless set); the rest is read and discarded so the
// connection can be reused.
func WithMaxResponseBody(n int64) Option {
	return optionFunc(func(o *clientOptions) error {
		if n < 0 {
			return errors.New("WithMaxResponseBody: negative size")
		}
		o.maxBody = n
		return nil
	})
}
