package destination

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/mtlscourier/courier/keystore"
)

// buildTLSConfig turns the destination's key and trust material into a
// tls.Config, the way a JSSE client would: our whole stored chain is sent,
// the truststore's certificates are the roots (the system's when there is
// no truststore), and nothing is loaded lazily.
func buildTLSConfig(cfg *Config, now time.Time) (*tls.Config, error) {
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         cfg.ServerName,
		InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // refused unless the JSON says true; warned on every build
		ClientSessionCache: tls.NewLRUClientSessionCache(0),
	}
	if cfg.MinTLSVersion == "1.3" {
		tc.MinVersion = tls.VersionTLS13
	}
	cert, err := loadClientCertificate(cfg, now)
	if err != nil {
		return nil, err
	}
	if cert != nil {
		// Always offer our certificate, even when the server's list of
		// acceptable CAs does not name its issuer (Go would then send
		// nothing, and the server's refusal would hide the real problem:
		// usually a missing intermediate).
		tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	if tc.RootCAs, err = loadRoots(cfg); err != nil {
		return nil, err
	}
	return tc, nil
}

func loadClientCertificate(cfg *Config, now time.Time) (*tls.Certificate, error) {
	var (
		kp    *keystore.KeyPair
		err   error
		field = "keystoreFile"
	)
	switch {
	case cfg.KeystoreFile != "":
		kp, err = loadKeystore(cfg)
	case cfg.CertFile != "":
		field = "certFile"
		kp, err = keystore.LoadKeyPair(cfg.Path(cfg.CertFile), nil,
			keystore.WithFormat(keystore.FormatPEM), keystore.WithKeyFile(cfg.Path(cfg.KeyFile)))
	default:
		return nil, nil
	}
	if err != nil {
		return nil, keystoreError(err, field, "keystorePass")
	}
	if err := kp.CheckValidity(now); err != nil {
		return nil, &Error{Reason: ReasonCertExpired, Field: field, Err: err}
	}
	cert := kp.TLSCertificate()
	return &cert, nil
}

func loadKeystore(cfg *Config) (*keystore.KeyPair, error) {
	pass := cfg.KeystorePass.Bytes()
	defer clear(pass)
	opts := []keystore.Option{keystore.WithAlias(cfg.KeyAlias)}
	if cfg.KeyPass.IsSet() {
		keyPass := cfg.KeyPass.Bytes()
		defer clear(keyPass)
		opts = append(opts, keystore.WithKeyPassword(keyPass))
	}
	if cfg.KeystoreType != "" {
		f, err := keystore.ParseFormat(cfg.KeystoreType)
		if err != nil {
			return nil, err
		}
		opts = append(opts, keystore.WithFormat(f))
	}
	return keystore.LoadKeyPair(cfg.Path(cfg.KeystoreFile), pass, opts...)
}

func loadRoots(cfg *Config) (*x509.CertPool, error) {
	switch {
	case cfg.TruststoreFile != "":
		pass := cfg.TruststorePass.Bytes()
		defer clear(pass)
		var opts []keystore.Option
		if cfg.TruststoreType != "" {
			f, err := keystore.ParseFormat(cfg.TruststoreType)
			if err != nil {
				return nil, keystoreError(err, "truststoreType", "")
			}
			opts = append(opts, keystore.WithFormat(f))
		}
		pool, err := keystore.LoadCertPool(cfg.Path(cfg.TruststoreFile), pass, opts...)
		if err != nil {
			return nil, keystoreError(err, "truststoreFile", "truststorePass")
		}
		return pool, nil
	case cfg.CAFile != "":
		pool, err := keystore.LoadCertPool(cfg.Path(cfg.CAFile), nil, keystore.WithFormat(keystore.FormatPEM))
		if err != nil {
			return nil, keystoreError(err, "caFile", "")
		}
		return pool, nil
	}
	return nil, nil // the system's roots, as Java falls back to cacerts
}

// keystoreError gives a keystore error its reason and names the field at
// fault: for a wrong password, the password field rather than the file.
func keystoreError(err error, fileField, passField string) error {
	e := &Error{Reason: ReasonKeystoreUnreadable, Field: fileField, Err: err}
	switch {
	case errors.Is(err, keystore.ErrWrongKeyPassword):
		e.Reason, e.Field = ReasonKeystorePassword, "keyPass"
		e.Detail = "the key entry's password is wrong: set keyPass, or make the key password equal keystorePass"
	case errors.Is(err, keystore.ErrWrongPassword):
		e.Reason, e.Field = ReasonKeystorePassword, passField
		e.Detail = fmt.Sprintf("%s does not open %s", passField, fileField)
	case errors.Is(err, keystore.ErrPasswordEncoding):
		e.Reason, e.Field = ReasonKeystorePassword, passField
	case errors.Is(err, keystore.ErrAliasNotFound), errors.Is(err, keystore.ErrAmbiguousAlias),
		errors.Is(err, keystore.ErrNoPrivateKey):
		e.Reason, e.Field = ReasonKeyNotFound, "keyAlias"
	case errors.Is(err, keystore.ErrExpired), errors.Is(err, keystore.ErrNotYetValid):
		e.Reason = ReasonCertExpired
	}
	return e
}
