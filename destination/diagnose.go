package destination

import (
	"crypto/x509"

	"github.com/mtlscourier/courier/keystore"
)

// This file lends the client's own loading and failure classification to
// tools that explain a destination step by step (courier check), so that
// they name failures with the same reasons as Send.

// LoadKeyPair loads the client key pair that New would load — keystoreFile
// (with keystoreType, keyAlias and keyPass) or certFile with keyFile — but
// does not check its dates. It returns nil, nil when cfg has no client key
// pair. A failure is an *Error as New returns it: keystore_unreadable,
// keystore_password (Field names the password at fault), key_not_found.
func LoadKeyPair(cfg *Config) (*keystore.KeyPair, error) {
	var (
		kp  *keystore.KeyPair
		err error
	)
	switch {
	case cfg.KeystoreFile != "":
		if kp, err = loadKeystore(cfg); err != nil {
			return nil, keystoreError(err, "keystoreFile", "keystorePass")
		}
	case cfg.CertFile != "":
		kp, err = keystore.LoadKeyPair(cfg.Path(cfg.CertFile), nil,
			keystore.WithFormat(keystore.FormatPEM), keystore.WithKeyFile(cfg.Path(cfg.KeyFile)))
		if err != nil {
			return nil, keystoreError(err, "certFile", "")
		}
	}
	return kp, nil
}

// LoadTrustedCertificates returns the certificates New would trust for the
// server: those of truststoreFile (with truststorePass and truststoreType)
// or caFile. It returns nil, nil when cfg names neither (the system's roots
// apply), and an empty slice for a store without certificates, which New
// refuses. A failure is an *Error as New returns it.
func LoadTrustedCertificates(cfg *Config) ([]*x509.Certificate, error) {
	var (
		field, passField = "truststoreFile", "truststorePass"
		pass             []byte
		opts             []keystore.Option
		path             = cfg.TruststoreFile
	)
	switch {
	case cfg.TruststoreFile != "":
		pass = cfg.TruststorePass.Bytes()
		defer clear(pass)
		if cfg.TruststoreType != "" {
			f, err := keystore.ParseFormat(cfg.TruststoreType)
			if err != nil {
				return nil, keystoreError(err, "truststoreType", "")
			}
			opts = append(opts, keystore.WithFormat(f))
		}
	case cfg.CAFile != "":
		field, passField, path = "caFile", "", cfg.CAFile
		opts = append(opts, keystore.WithFormat(keystore.FormatPEM))
	default:
		return nil, nil
	}
	s, err := keystore.Load(cfg.Path(path), pass, opts...)
	if err != nil {
		return nil, keystoreError(err, field, passField)
	}
	return append([]*x509.Certificate{}, s.Certificates()...), nil
}

// ClassifyError names the reason of a network or TLS error — from a dial,
// a handshake or a read — as Send would: server_untrusted,
// hostname_mismatch, client_cert_rejected (a certificate alert from the
// server), timeout or connection_failed.
func ClassifyError(err error) Reason { return classify(err) }

// IsClientCertRefusal reports whether err, from a handshake or from the
// first read after a TLS 1.3 handshake, is the server refusing our client
// certificate: a certificate alert, or — when asked is true because the
// server sent a CertificateRequest — a handshake_failure alert or the
// connection closed without a word (what the JDK's HttpsServer does).
func IsClientCertRefusal(err error, asked bool) bool { return refusal(err, asked) != nil }

// RemoteAlert returns the code of the TLS alert the peer sent, when err
// holds one (crypto/tls reports received alerts by their text only).
func RemoteAlert(err error) (code uint8, ok bool) { return remoteAlert(err) }
