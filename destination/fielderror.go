package destination

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrInvalid is the one sentinel for a bad destination: every *SyntaxError
// and *FieldError from Parse, Read, Load and Validate satisfies
// errors.Is(err, ErrInvalid). Errors opening or reading the file itself do
// not; they wrap the fs error instead (errors.Is(err, fs.ErrNotExist)).
var ErrInvalid = errors.New("invalid destination")

// Sentinels for the problems callers may want to tell apart. Each one is
// wrapped in a *FieldError (or, for ErrTooLarge, returned as is with
// ErrInvalid), so errors.Is finds both it and ErrInvalid.
var (
	// ErrUnknownField: a key that is not a destination field, usually a typo.
	ErrUnknownField = errors.New("unknown field")
	// ErrFileUnreadable: a keystore, truststore or PEM file the Config
	// names is missing or cannot be read. New reports a Config whose only
	// problems are these as keystore_unreadable.
	ErrFileUnreadable = errors.New("file cannot be read")
	// ErrUndefinedVar: ${NAME} or env:NAME with NAME defined nowhere.
	ErrUndefinedVar = errors.New("undefined variable")
	// ErrTooLarge: the JSON is over MaxSize bytes.
	ErrTooLarge = errors.New("too large")
)

// FieldError is one problem with one field. Field is the JSON name in its
// canonical case ("keystoreFile"), dotted for nested fields
// ("retry.maxAttempts", "headers.X-Trace"), or the key as written for an
// unknown field.
type FieldError struct {
	Field string
	Err   error
}

// Error returns `destination: field "keystoreFile": <what is wrong and what to do>`.
func (e *FieldError) Error() string {
	return "destination: field " + strconv.Quote(e.Field) + ": " + e.Err.Error()
}

// Unwrap returns the cause, so errors.Is reaches sentinels and fs errors.
func (e *FieldError) Unwrap() error { return e.Err }

// Is makes every FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// SyntaxError is JSON the parser cannot read. Line and Column are 1-based and
// point at the offending character; Column counts characters, not bytes, and
// a tab counts as one. Msg never quotes the text of a string value, so a
// password in the file cannot leak through it.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

// Error returns `destination: line 3, column 14: <message>`.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("destination: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Is makes every SyntaxError match ErrInvalid.
func (e *SyntaxError) Is(target error) bool { return target == ErrInvalid }

// fieldErr builds a *FieldError whose cause is formatted like fmt.Errorf, so
// %w works in format.
func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// tooLargeError is returned for input over MaxSize: it matches both
// ErrTooLarge and ErrInvalid.
type tooLargeError struct{ limit int }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("destination: config is larger than %d bytes; a destination is a small JSON object, check that this is the right file", e.limit)
}

func (e *tooLargeError) Unwrap() []error { return []error{ErrTooLarge, ErrInvalid} }

// maxReported caps the problems Parse lists: a file with thousands of bad
// keys is not a destination, and its report should stay readable.
const maxReported = 25

// moreProblems stands for the problems past maxReported.
type moreProblems int

func (n moreProblems) Error() string {
	return fmt.Sprintf("destination: %d more problems not shown; fix these first", int(n))
}

// Is makes moreProblems match ErrInvalid, like the errors it stands for.
func (n moreProblems) Is(target error) bool { return target == ErrInvalid }
