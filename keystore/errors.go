package keystore

import (
	"errors"
	"fmt"
)

// Sentinel errors, for errors.Is. Every error the package returns wraps at most one of them and
// starts with "keystore: "; errors from a file also name the file. No error ever holds a password.
var (
	// ErrWrongPassword: the store password does not open the keystore. ErrWrongKeyPassword wraps it.
	ErrWrongPassword = errors.New("wrong password")
	// ErrWrongKeyPassword: the store opened but a key entry's password is wrong.
	// errors.Is(ErrWrongKeyPassword, ErrWrongPassword) is true.
	ErrWrongKeyPassword error = &childError{msg: "wrong key password", parent: ErrWrongPassword}
	// ErrAliasNotFound: no entry has the requested alias; the message lists the aliases there are.
	ErrAliasNotFound = errors.New("alias not found")
	// ErrAmbiguousAlias: several key entries and no alias to choose one; the message lists them.
	ErrAmbiguousAlias = errors.New("several key entries")
	// ErrNoPrivateKey: the keystore (or the chosen entry) holds no private key, e.g. a truststore.
	ErrNoPrivateKey = errors.New("no private key")
	// ErrNoCertificate: a private key came without its certificate (PEM key without a chain).
	ErrNoCertificate = errors.New("no certificate for the private key")
	// ErrUnsupportedFormat: not JKS, PKCS#12 or PEM, or a variant of them this package cannot read.
	ErrUnsupportedFormat = errors.New("unsupported format")
	// ErrKeyMismatch: the certificate does not belong to the private key.
	ErrKeyMismatch = errors.New("certificate does not match the private key")
	// ErrExpired: a certificate of the chain is past its NotAfter date. See ValidityError.
	ErrExpired = errors.New("certificate expired")
	// ErrNotYetValid: a certificate of the chain is before its NotBefore date. See ValidityError.
	ErrNotYetValid = errors.New("certificate not yet valid")
	// ErrEmptyTruststore: a truststore without a single certificate.
	ErrEmptyTruststore = errors.New("empty truststore")
	// ErrCorrupt: truncated or malformed data.
	ErrCorrupt = errors.New("corrupt keystore")
	// ErrPasswordEncoding: the password cannot be encoded the way the format needs it
	// (JKS passwords must be Latin-1; every password must be valid UTF-8).
	ErrPasswordEncoding = errors.New("password cannot be encoded")
)

// childError is a sentinel that is also its parent for errors.Is.
type childError struct {
	msg    string
	parent error
}

func (e *childError) Error() string { return e.msg }
func (e *childError) Unwrap() error { return e.parent }

// prefixed adds the package name, and the file when there is one, to an internal error.
func prefixed(path string, err error) error {
	if err == nil {
		return nil
	}
	if path == "" {
		return fmt.Errorf("keystore: %w", err)
	}
	return fmt.Errorf("keystore: open %s: %w", path, err)
}

// corruptf reports malformed data.
func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}
