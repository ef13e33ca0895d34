package destinationtest

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
)

// ServerOption configures NewServer.
type ServerOption interface {
	applyServer(*serverConfig) error
}

type serverConfig struct {
	ca         *CA
	handler    http.Handler
	minVersion uint16
	maxVersion uint16
	clientCAs  *x509.CertPool
	identity   *Identity
	clientAuth tls.ClientAuthType
}

type serverOptionFunc func(*serverConfig) error

func (f serverOptionFunc) applyServer(c *serverConfig) error { return f(c) }

// WithCA makes the server use ca, for its own certificate and to verify
// clients, instead of a new CA. Share one CA between servers, or between a
// server and identities issued before it starts.
func WithCA(ca *CA) ServerOption {
	return serverOptionFunc(func(c *serverConfig) error {
		if ca == nil {
			return optionErr("WithCA(nil)")
		}
		c.ca = ca
		return nil
	})
}

// WithHandler serves requests with h, after recording them and after any
// scripted failure or delay. The default answers 200 "ok".
func WithHandler(h http.Handler) ServerOption {
	return serverOptionFunc(func(c *serverConfig) error {
		if h == nil {
			return optionErr("WithHandler(nil)")
		}
		c.handler = h
		return nil
	})
}

// WithMinTLSVersion sets the lowest TLS version the server accepts,
// tls.VersionTLS12 or tls.VersionTLS13; the default is TLS 1.2.
func WithMinTLSVersion(v uint16) ServerOption {
	return serverOptionFunc(func(c *serverConfig) error {
		if err := checkTLSVersion("WithMinTLSVersion", v); err != nil {
			return err
		}
		c.minVersion = v
		return nil
	})
}

// WithMaxTLSVersion sets the highest TLS version the server accepts, to
// test TLS 1.2 (tls.VersionTLS12); the default is TLS 1.3.
func WithMaxTLSVersion(v uint16) ServerOption {
	return serverOptionFunc(func(c *serverConfig) error {
		if err := checkTLSVersion("WithMaxTLSVersion", v); err != nil {
			return err
		}
		c.maxVersion = v
		return nil
	})
}

func checkTLSVersion(option string, v uint16) error {
	if v < tls.VersionTLS10 || v > tls.VersionTLS13 {
		return optionErr("%s(%#04x): use a crypto/tls version constant such as tls.VersionTLS12", option, v)
	}
	return nil
}

// WithClientCAs sets the CAs that verify client certificates; the default
// is the server's CA's root. Give another CA's pool to make the server
// reject clients of its own CA.
func WithClientCAs(pool *x509.CertPool) ServerOption {
	return serverOptionFunc(func(c *serverConfig) error {
		if pool == nil {
			return optionErr("WithClientCAs(nil)")
		}
		c.clientCAs = pool
		return nil
	})
}

// WithServerIdentity sets the certificate the server presents; the default
// is issued by the server's CA for localhost, 127.0.0.1 and ::1. Use it to
// present a certificate for another host (hostname_mismatch) or from
// another CA (server_untrusted), while clients still get the server's CA
// in their truststore.
func WithServerIdentity(id *Identity) ServerOption {
	return serverOptionFunc(func(c *serverConfig) error {
		if err := id.check(); err != nil {
			return optionErr("WithServerIdentity: %w", err)
		}
		c.identity = id
		return nil
	})
}

// WithClientAuth sets the server's client certificate policy; the default
// is tls.RequireAndVerifyClientCert.
func WithClientAuth(auth tls.ClientAuthType) ServerOption {
	return serverOptionFunc(func(c *serverConfig) error {
		if auth < tls.NoClientCert || auth > tls.RequireAndVerifyClientCert {
			return optionErr("WithClientAuth(%d): use a tls.ClientAuthType constant", auth)
		}
		c.clientAuth = auth
		return nil
	})
}

// newServerConfig applies opts over the defaults, making a CA if needed.
func newServerConfig(opts []ServerOption) (serverConfig, error) {
	cfg := serverConfig{
		handler:    http.HandlerFunc(okHandler),
		minVersion: tls.VersionTLS12,
		maxVersion: tls.VersionTLS13,
		clientAuth: tls.RequireAndVerifyClientCert,
	}
	for _, o := range opts {
		if o == nil {
			return cfg, optionErr("nil ServerOption")
		}
		if err := o.applyServer(&cfg); err != nil {
			return cfg, err
		}
	}
	if cfg.minVersion > cfg.maxVersion {
		return cfg, optionErr("minimum TLS version %s is above maximum %s",
			tls.VersionName(cfg.minVersion), tls.VersionName(cfg.maxVersion))
	}
	return cfg, nil
}

// okHandler is the default handler.
func okHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok"))
}
