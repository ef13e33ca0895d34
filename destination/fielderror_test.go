package destination

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFieldErrorFormatAndUnwrap(t *testing.T) {
	err := error(&FieldError{Field: "keystoreFile", Err: fs.ErrNotExist})
	assert.Equal(t, `destination: field "keystoreFile": file does not exist`, err.Error())
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.ErrorIs(t, err, ErrInvalid)
}

func TestSyntaxErrorFormat(t *testing.T) {
	err := error(&SyntaxError{Line: 3, Column: 14, Msg: "unterminated string"})
	assert.Equal(t, "destination: line 3, column 14: unterminated string", err.Error())
	assert.ErrorIs(t, err, ErrInvalid)
	assert.NotErrorIs(t, err, ErrUnknownField)
}

func TestTooLargeErrorMatchesBothSentinels(t *testing.T) {
	err := error(&tooLargeError{limit: MaxSize})
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.ErrorIs(t, err, ErrInvalid)
	assert.False(t, errors.As(err, new(*FieldError)))
}
