package destination

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Client-side defaults that the JSON does not set.
const (
	DefaultMaxResponseBody = 1 << 20  // bytes of a response body kept in Result.Body
	expectContinueAbove    = 64 << 10 // raw bodies larger than this ask "Expect: 100-continue"
	maxTemplatedPayload    = 32 << 20 // payload bytes read into memory to fill %{payload}
)

// Client delivers messages to one destination over mutual TLS, retrying
// what may succeed later and nothing else. It is safe for concurrent use;
// reuse one Client per destination so connections and TLS sessions are
// reused.
type Client struct {
	cfg       Config // defaults applied
	retry     *retryablehttp.Client
	owned     *http.Transport // nil when the caller supplied the transport
	tlsConfig *tls.Config
	logger    *slog.Logger
	now       func() time.Time
	maxBody   int64
	logURL    string // the url as logs and errors show it (redacted)

	payloadInTemplates bool     // %{payload} appears in the url, params or headers
	fixedURL           *url.URL // the parsed url when it holds no template; copied per request
}

// New validates cfg, loads its keystores, checks our certificate's dates and
// returns a ready Client. Every failure is an *Error whose Reason says what
// went wrong (config_invalid, keystore_password, cert_expired, ...).
func New(cfg *Config, opts ...Option) (*Client, error) {
	if cfg == nil {
		return nil, &Error{Reason: ReasonConfigInvalid, Err: errors.New("nil Config")}
	}
	o := clientOptions{now: time.Now, maxBody: DefaultMaxResponseBody}
	for _, opt := range opts {
		if err := opt.apply(&o); err != nil {
			return nil, &Error{Reason: ReasonConfigInvalid, Err: err}
		}
	}
	userLogger := o.logger != nil
	if !userLogger {
		o.logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{cfg: *cfg, logger: o.logger, now: o.now, maxBody: o.maxBody}
	c.cfg.applyDefaults(o.retry)
	c.logURL = redactURL(c.cfg.URL)
	c.payloadInTemplates = c.usesPayloadVar()
	if !strings.Contains(c.cfg.URL, "%{") {
		c.fixedURL, _ = url.Parse(c.cfg.URL) // Validate has parsed it; nil falls back to per-request parsing
	}
	if err := c.cfg.Validate(); err != nil {
		return nil, &Error{Reason: invalidConfigReason(err), Err: err}
	}
	tc, err := buildTLSConfig(&c.cfg, c.now())
	if err != nil {
		return nil, err
	}
	c.tlsConfig = tc
	if c.cfg.InsecureSkipVerify {
		warn := c.logger
		if !userLogger {
			// Routine logs are silent by default; this one is not.
			warn = slog.Default()
		}
		warn.Warn("insecureSkipVerify is true: the server's certificate is NOT checked; anyone on the path can read and change these messages",
			"url", redactURL(c.cfg.URL))
	}
	c.retry = c.newRetryClient(c.httpClient(o))
	return c, nil
}

// invalidConfigReason is config_invalid, except when every problem is a
// keystore or PEM file that cannot be read: that is keystore_unreadable,
// whichever step noticed it.
func invalidConfigReason(err error) Reason {
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		if !errors.Is(e, ErrFileUnreadable) {
			return ReasonConfigInvalid
		}
	}
	return ReasonKeystoreUnreadable
}

// httpClient returns the *http.Client attempts go through.
func (c *Client) httpClient(o clientOptions) *http.Client {
	if o.httpClient != nil {
		hc := *o.httpClient
		if hc.Timeout == 0 {
			hc.Timeout = c.cfg.Timeout
		}
		return &hc
	}
	rt := o.transport
	if rt == nil {
		c.owned = newTransport(c.tlsConfig)
		rt = &probingTransport{base: c.owned, tlsConfig: c.tlsConfig}
	}
	return &http.Client{Transport: rt, Timeout: c.cfg.Timeout}
}

// newTransport keeps connections alive and TLS sessions cached, so that N
// messages to one partner cost one handshake, not N.
func newTransport(tc *tls.Config) *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// TLSConfig returns a copy of the tls.Config the client's connections use:
// our certificate, the truststore's roots, the minimum version.
func (c *Client) TLSConfig() *tls.Config { return c.tlsConfig.Clone() }

// Config returns the destination as the client uses it, defaults applied.
func (c *Client) Config() Config { return c.cfg }

// Close closes the client's idle connections. A closed Client still works; it
// just has to connect again.
func (c *Client) Close() error {
	if c.owned != nil {
		c.owned.CloseIdleConnections()
	}
	return nil
}

// applyDefaults fills every zero field with its default, then applies the
// caller's retry overrides.
func (c *Config) applyDefaults(override Retry) {
	if c.Method == "" {
		c.Method = DefaultMethod
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.IDHeader == "" {
		c.IDHeader = DefaultIDHeader
	}
	if c.ContentType == "" {
		c.ContentType = DefaultContentType
	}
	c.Retry = override.merge(c.Retry).merge(Retry{MaxAttempts: DefaultMaxAttempts, WaitMin: DefaultWaitMin, WaitMax: DefaultWaitMax})
	if c.Retry.WaitMin > c.Retry.WaitMax {
		c.Retry.WaitMin = c.Retry.WaitMax
	}
}

// merge returns r with its zero fields taken from d.
func (r Retry) merge(d Retry) Retry {
	if r.MaxAttempts == 0 {
		r.MaxAttempts = d.MaxAttempts
	}
	if r.WaitMin == 0 {
		r.WaitMin = d.WaitMin
	}
	if r.WaitMax == 0 {
		r.WaitMax = d.WaitMax
	}
	return r
}
