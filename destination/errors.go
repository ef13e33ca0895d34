package destination

import (
	"errors"
	"fmt"
	"strings"
)

// Error is the one error Send and New return for a failed delivery. Callers
// branch on Reason; errors.Is and errors.As reach the cause through Unwrap.
type Error struct {
	Reason   Reason
	Field    string // the Config field at fault, when one is ("keystorePass")
	Status   int    // the last HTTP status, for ReasonHTTPStatus
	Attempts int    // attempts made, 0 when nothing was sent
	Detail   string // a sentence specific to this failure, when there is one
	Err      error  // the cause
}

func (e *Error) Error() string {
	msg := "destination: " + string(e.Reason)
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	if e.Status != 0 {
		msg += fmt.Sprintf(": status %d", e.Status)
	}
	if e.Err != nil {
		msg += ": " + strings.TrimPrefix(e.Err.Error(), "destination: ")
	}
	if e.Detail != "" {
		msg += " — " + e.Detail
	}
	return msg + " — " + e.Reason.Advice()
}

func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the reason of err: ReasonOK for nil, the Reason of an
// *Error, ReasonConfigInvalid for a parse or validation error, and
// ReasonConnectionFailed for anything else.
func ReasonOf(err error) Reason {
	if err == nil {
		return ReasonOK
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Reason
	}
	if isConfigError(err) {
		return ReasonConfigInvalid
	}
	return ReasonConnectionFailed
}

func isConfigError(err error) bool {
	_, field := errors.AsType[*FieldError](err)
	_, syntax := errors.AsType[*SyntaxError](err)
	return field || syntax
}
