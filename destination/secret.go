package destination

import (
	"fmt"
	"log/slog"
)

// redacted is what a set Secret prints as, whatever the verb.
const redacted = "[REDACTED]"

// Secret holds a password. It prints as [REDACTED] everywhere: String,
// GoString, every fmt verb (%v %+v %#v %s %q %x …), slog and JSON. An unset
// Secret prints as the empty string, so a printed Config shows whether a
// password was given without showing it. The zero value is unset.
//
// Copies of a Secret share its bytes; Destroy zeroes them for every copy.
type Secret struct{ b []byte }

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret { return Secret{b: []byte(s)} }

// newSecretBytes returns a Secret that takes ownership of b (never nil, so
// an empty password counts as set).
func newSecretBytes(b []byte) Secret {
	if b == nil {
		b = []byte{}
	}
	return Secret{b: b}
}

// Bytes returns a fresh copy of the secret; zero it when done. It is nil
// only when the secret is unset.
func (s Secret) Bytes() []byte {
	if s.b == nil {
		return nil
	}
	return append([]byte{}, s.b...)
}

// IsSet reports whether the secret was given (an empty password counts).
func (s Secret) IsSet() bool { return s.b != nil }

// Destroy zeroes the secret's bytes, in this Secret and every copy of it
// (they share the bytes), and unsets this one. Copies stay set, holding
// zeroes of the same length.
func (s *Secret) Destroy() {
	clear(s.b)
	s.b = nil
}

// String returns "[REDACTED]", or "" when the secret is unset.
func (s Secret) String() string {
	if !s.IsSet() {
		return ""
	}
	return redacted
}

// GoString returns the same as String, so %#v redacts too.
func (s Secret) GoString() string { return s.String() }

// Format writes the same as String for every verb and flag: %x or %q must
// not become a way to print the password.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue makes slog print the secret as String does.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON encodes the secret as the JSON string "[REDACTED]" ("" when
// unset): a marshalled Config carries no password and cannot be reloaded
// with one.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalText makes encoders that prefer text (slog's text handler for map
// keys, encoding/xml, YAML libraries) redact too.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
