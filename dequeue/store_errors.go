package dequeue

import (
	"errors"
	"fmt"
	"strings"
)

// opError is a queue operation's failure: "dequeue: OP: CAUSE". A cause
// that is one of the package's sentinels keeps its meaning for errors.Is
// but loses its own "dequeue: " prefix, so that the message reads once.
type opError struct {
	op  string // "ack \"order-7\" in /var/lib/courier/q.db"
	err error
}

func (e *opError) Error() string {
	return "dequeue: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "dequeue: ")
}

func (e *opError) Unwrap() error { return e.err }

func opErr(op string, err error) error { return &opError{op: op, err: err} }

// lockedError says which process holds a queue file's dispatch lock.
type lockedError struct {
	path string
	pid  string // "" when the holder did not write it yet
}

func (e *lockedError) Error() string {
	holder := "another courier dequeue"
	if e.pid != "" {
		holder += " (pid " + e.pid + ")"
	}
	return fmt.Sprintf("dequeue: %s is running on %s: stop it, or point this one at another queue file", holder, e.path)
}

func (e *lockedError) Unwrap() error { return ErrLocked }

var errNoMax = errors.New("LeaseRequest.Max is below 1: lease at least one message")

// ErrNotQueueFile is returned by Open for an SQLite file that another
// program made (it has other tables, or another application_id): Open
// refuses it without changing it, rather than add its tables beside the
// program's.
var ErrNotQueueFile = errors.New("dequeue: not a courier queue file")
