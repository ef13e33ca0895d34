// Package keystore turns Java keystores into Go TLS material: JKS (through keystore-go), PKCS#12
// (through go-pkcs12, including keytool 17's PBES2/AES files and legacy ones) and PEM
// (a .crt chain with its .key, as webMethods hands them out).
//
// It follows Java's rules: the format comes from the file's bytes, not its name; the key password
// defaults to the store password; aliases match case-insensitively; with several key entries and
// no alias the error lists them; a truststore trusts every trustedCertEntry and the certificate
// of every key entry.
//
// A client certificate for mutual TLS, with its whole chain:
//
//	kp, err := keystore.LoadKeyPair("client.jks", []byte("changeit"), keystore.WithAlias("client"))
//	if err != nil {
//		return err // errors.Is(err, keystore.ErrWrongPassword), ErrAliasNotFound, ...
//	}
//	if err := kp.CheckValidity(time.Now()); err != nil {
//		return err // ErrExpired / ErrNotYetValid, as a *ValidityError with the dates
//	}
//	cfg := &tls.Config{Certificates: []tls.Certificate{kp.TLSCertificate()}}
//
// The partner's CAs, from a truststore (JKS, PKCS#12 or a PEM bundle):
//
//	pool, err := keystore.LoadCertPool("truststore.jks", []byte("changeit"))
//	cfg.RootCAs = pool // ErrEmptyTruststore if it holds no certificate
//
// PEM files, the key beside the chain:
//
//	kp, err := keystore.LoadKeyPair("client.crt", nil, keystore.WithKeyFile("client.key"))
//
// Load reads a file, Read a reader and Parse bytes; each returns a Store whose Entries can be
// listed and whose KeyPair, Certificates and CertPool methods give the TLS material:
//
//	s, err := keystore.Load("client.p12", password, keystore.WithKeyPassword(keyPassword))
//	for _, e := range s.Entries {
//		fmt.Println(e.Alias, e.Kind, e.Chain[0].Subject)
//	}
//	kp, err := s.KeyPair("", nil) // the only key entry, with the key password given to Load
//
// # Passwords
//
// Passwords are []byte holding UTF-8. The package keeps none of them and zeroes the copies it
// makes, except the strings go-pkcs12 requires. JKS passwords are Java chars hashed one byte
// each, so only Latin-1 characters can be used (ErrPasswordEncoding otherwise). An empty JKS store
// password opens the store without checking its integrity, as Java does; key entries still need
// their password. Errors never contain a password.
//
// # PKCS#12 aliases, and what PEM cannot say
//
// A PKCS#12 entry's alias is its friendlyName, lower-cased as Java lists it. Key entries' are
// read from the file's unencrypted part; trusted certificates' from its encrypted part when that
// is PBES2 with AES (keytool's default since Java 17), but not in legacy 3DES/RC2 files (Java 8,
// -J-Dkeystore.pkcs12.legacy), where they are "". go-pkcs12 decodes one key entry per file, so a
// file with several is decoded once per key entry, each time as a copy holding that key alone.
// PEM entries have no alias, and neither have PKCS#12 key entries a file does not name; a store
// whose key entries have no aliases holds at most one, which any alias selects. The leaf is the
// certificate that matches the private key, and the chain is rebuilt from issuer links; the
// other certificates are trusted entries.
//
// # Hostile files
//
// Every length in a JKS file is checked against the bytes left before keystore-go reads it, and
// PKCS#12 iteration counts are capped at Java's limit, so a truncated or hostile file is an
// ErrCorrupt (or ErrUnsupportedFormat) error: never a panic, never an allocation far beyond
// the file's size.
package keystore
