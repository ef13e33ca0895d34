package check

import (
	"time"

	"github.com/mtlscourier/courier/destination"
)

// Defaults for the settings Options change.
const (
	// DefaultProbeWait is how long the client-auth check waits, after a
	// TLS 1.3 handshake, for the server's verdict on our certificate. A
	// server that accepts us says nothing (it waits for a request), so
	// the whole wait is spent whenever all is well.
	DefaultProbeWait = time.Second
	// ExpiryWarning is how close to its expiry a certificate gets a warning.
	ExpiryWarning = 30 * 24 * time.Hour
)

// Network limits, as the destination client's transport has them.
const (
	dialTimeout      = 10 * time.Second
	handshakeTimeout = 10 * time.Second
)

// Option configures Run and RunFile.
type Option interface {
	apply(*settings)
}

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

type settings struct {
	now       func() time.Time
	probeWait time.Duration
	parseOpts []destination.ParseOption
}

func newSettings(opts []Option) settings {
	s := settings{now: time.Now, probeWait: DefaultProbeWait}
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	return s
}

// WithClock sets the clock that certificate dates are checked against;
// nil keeps time.Now.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(s *settings) {
		if now != nil {
			s.now = now
		}
	})
}

// WithProbeWait sets how long to wait for a TLS 1.3 server's verdict on our
// certificate; zero or less keeps DefaultProbeWait.
func WithProbeWait(d time.Duration) Option {
	return optionFunc(func(s *settings) {
		if d > 0 {
			s.probeWait = d
		}
	})
}

// WithParseOptions passes opts (variables, environment) to destination.Load
// when RunFile reads the destination file.
func WithParseOptions(opts ...destination.ParseOption) Option {
	return optionFunc(func(s *settings) { s.parseOpts = append(s.parseOpts, opts...) })
}
