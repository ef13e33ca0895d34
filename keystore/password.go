package keystore

import (
	"fmt"
	"unicode/utf8"
)

// latin1 turns a UTF-8 password into the bytes JKS hashes. JKS passwords are Java chars and
// keystore-go takes one byte per char, so only U+0000..U+00FF can be passed. The result is a new
// buffer: the caller zeroes it with clear.
func latin1(password []byte) ([]byte, error) {
	out := make([]byte, 0, len(password))
	for i := 0; i < len(password); {
		r, size := utf8.DecodeRune(password[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			clear(out)
			return nil, fmt.Errorf("%w: the password is not valid UTF-8", ErrPasswordEncoding)
		case r > 0xFF:
			clear(out)
			return nil, fmt.Errorf("%w: a JKS password can only hold Latin-1 characters (U+0000 to U+00FF), "+
				"and this one has a character beyond them at byte %d; convert the keystore to PKCS#12 "+
				"(keytool -importkeystore -deststoretype PKCS12) or change its password", ErrPasswordEncoding, i)
		}
		out = append(out, byte(r))
		i += size
	}
	return out, nil
}

// checkUTF8 refuses passwords that are not UTF-8; PKCS#12 encodes them as UTF-16.
func checkUTF8(password []byte) error {
	if !utf8.Valid(password) {
		return fmt.Errorf("%w: the password is not valid UTF-8", ErrPasswordEncoding)
	}
	return nil
}
