package destination

import (
	"errors"
	"fmt"
	"io/fs"
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
// *Error, ReasonConfigInvalid for a parse or validation error or a
// destination file Load could not read, and ReasonConnectionFailed for
// anything else.
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

// Retryable reports whether the failure may go away on its own: a
// connection failure, a timeout, or an HTTP status of 408, 429 or 5xx but
// 501 — what Send retries. Queues use it to reschedule rather than give up.
func (e *Error) Retryable() bool {
	if e.Reason == ReasonHTTPStatus {
		return retryableStatus(e.Status)
	}
	return e.Reason.Retryable()
}

// isConfigError reports a parse or validation error, or a destination file
// that Load could not read.
func isConfigError(err error) bool {
	_, field := errors.AsType[*FieldError](err)
	_, syntax := errors.AsType[*SyntaxError](err)
	_, file := errors.AsType[*fs.PathError](err)
	return field || syntax || file || errors.Is(err, ErrInvalid)
}
