package keystore

import (
	"errors"
	"fmt"
)

// Option changes how Load, Read and Parse open a keystore. Options validate themselves:
// conflicting options make the call fail.
type Option interface {
	apply(*config) error
}

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// config holds the options of one call. Defaults live here: no format (detect), no alias (the
// only key entry), no key password (the store password).
type config struct {
	format      Format
	alias       string
	keyPassword []byte // the caller's slice, not a copy: the caller zeroes it
	keyFile     string
	keyPEM      []byte
	path        string // the file being loaded, for messages
}

func newConfig(opts []Option) (*config, error) {
	c := &config{}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(c); err != nil {
			return nil, fmt.Errorf("keystore: %w", err)
		}
	}
	return c, nil
}

// WithFormat skips detection and expects the file to be in format f. As with Java's
// keystore.type.compat, JKS and PKCS#12 open each other's files; any other mismatch is an
// ErrUnsupportedFormat error. The empty format means: detect.
func WithFormat(f Format) Option {
	return optionFunc(func(c *config) error {
		switch f {
		case "", FormatJKS, FormatPKCS12, FormatPEM:
		default:
			return fmt.Errorf("%w: %q: use FormatJKS, FormatPKCS12 or FormatPEM (see ParseFormat)", ErrUnsupportedFormat, f)
		}
		if f != "" && c.format != "" && c.format != f {
			return fmt.Errorf("conflicting formats %s and %s", c.format, f)
		}
		if f != "" {
			c.format = f
		}
		return nil
	})
}

// WithAlias chooses the key entry LoadKeyPair uses. Aliases match case-insensitively, since
// keytool lower-cases them. The empty alias means: the only key entry.
func WithAlias(alias string) Option {
	return optionFunc(func(c *config) error {
		if alias != "" && c.alias != "" && c.alias != alias {
			return fmt.Errorf("conflicting aliases %q and %q", c.alias, alias)
		}
		if alias != "" {
			c.alias = alias
		}
		return nil
	})
}

// WithKeyPassword sets the password of the key entries when it differs from the store password
// (by default they match, as NEO and keytool assume). p is used, not copied: the caller may zero
// it once the call has returned. In PKCS#12 files the key password is the store password;
// WithKeyPassword is then tried first and the store password after it.
func WithKeyPassword(p []byte) Option {
	return optionFunc(func(c *config) error {
		c.keyPassword = p
		return nil
	})
}

// WithKeyFile reads the private key of a PEM keystore from a separate file (PKCS#1, SEC1 or
// PKCS#8 PEM), as in a .crt + .key pair. It applies to PEM only.
func WithKeyFile(path string) Option {
	return optionFunc(func(c *config) error {
		if c.keyFile != "" || c.keyPEM != nil {
			return errors.New("the private key is given twice (WithKeyFile / WithKeyPEM)")
		}
		c.keyFile = path
		return nil
	})
}

// WithKeyPEM is WithKeyFile for a key already in memory.
func WithKeyPEM(data []byte) Option {
	return optionFunc(func(c *config) error {
		if c.keyFile != "" || c.keyPEM != nil {
			return errors.New("the private key is given twice (WithKeyFile / WithKeyPEM)")
		}
		c.keyPEM = data
		return nil
	})
}
