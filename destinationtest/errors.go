package destinationtest

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidOption is wrapped by the error that ends a test given an
	// invalid option, such as ValidBetween with its dates swapped.
	ErrInvalidOption = errors.New("destinationtest: invalid option")

	// ErrNotWireFailure is returned by Transport.FailNext for a reason
	// that courier detects before sending anything (config_invalid,
	// keystore_unreadable, keystore_password, key_not_found,
	// cert_expired) or that is no failure (ok). Make those with files
	// instead: a wrong password, a ValidBetween in the past.
	ErrNotWireFailure = errors.New("destinationtest: not a failure on the wire")

	// errNoIdentity reports a hand-made Identity that cannot be used.
	errNoIdentity = errors.New("identity has no certificate chain or no key: make it with CA.IssueClient or CA.IssueServer")
)

// optionErr reports an invalid option; format names it.
func optionErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}
