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
	kp, err := LoadKeyPair(cfg)
	if err != nil || kp == nil {
		return nil, err
	}
	if err := kp.CheckValidity(now); err != nil {
		field := "keystoreFile"
		if cfg.KeystoreFile == "" {
			field = "certFile"
		}
		return nil, &Error{Reason: ReasonCertExpired, Field: field, Err: err}
	}
	cert := kp.TLSCertificate()
	return &cert, nil
}

// loadKeystore opens keystoreFile with keystorePass, keyAlias, keyPass and
// keystoreType, zeroing its copies of the passwords.
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

// loadRoots returns the pool of the server's CAs: nil means the system's
// roots, as Java falls back to cacerts.
func loadRoots(cfg *Config) (*x509.CertPool, error) {
	certs, err := LoadTrustedCertificates(cfg)
	if err != nil || certs == nil {
		return nil, err
	}
	if len(certs) == 0 {
		field, path := "truststoreFile", cfg.TruststoreFile
		if path == "" {
			field, path = "caFile", cfg.CAFile
		}
		return nil, keystoreError(fmt.Errorf("keystore: open %s: %w", cfg.Path(path), keystore.ErrEmptyTruststore), field, "")
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// keystoreError gives a keystore error its reason and names the field at
// fault: for a wrong password, the password field rather than the file.
func keystoreError(err error, fileField, passField string) error {
	e := &Error{Reason: ReasonKeystoreUnreadable, Field: fileField, Err: err}
	switch {
	case errors.Is(err, keystore.ErrWrongKeyPassword):
		e.Reason, e.Field = ReasonKeystorePassword, "keyPass"
	case errors.Is(err, keystore.ErrWrongPassword):
		e.Reason, e.Field = ReasonKeystorePassword, passField
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
