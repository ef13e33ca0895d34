package dequeue

import (
	"context"
	"database/sql"
)

// durability is what a write's commit must survive; it picks the
// connection's PRAGMA synchronous for that write. Open's doc comment says
// why each operation gets the level it gets.
type durability int

const (
	// survivesPowerLoss commits with synchronous=FULL: the WAL is fsynced
	// before the commit returns. For Put and Requeue, which a caller may
	// take as a promise.
	survivesPowerLoss durability = iota
	// survivesCrash commits with synchronous=NORMAL: the commit is in the
	// WAL, in the OS's cache, when it returns, and reaches the disk with
	// the next fsync (the next survivesPowerLoss commit of any process, or
	// a checkpoint). A dead process loses nothing; a power loss may undo
	// the latest such commits, and only those. For the dispatcher's Lease,
	// Ack, Reschedule and DeadLetter, which power loss may undo safely.
	survivesCrash
)

// pragma is the statement that sets d on a connection. SQLite refuses it
// inside a transaction, so it runs just before one.
func (d durability) pragma() string {
	if d == survivesCrash {
		return "PRAGMA synchronous = NORMAL"
	}
	return "PRAGMA synchronous = FULL"
}

// conn takes the file's one connection for a write at durability d, and
// holds it, so that no other goroutine's write can change the level
// between the pragma and the commit. The caller closes it, which hands the
// connection back. Every write sets its level: the connection keeps the
// last one set, whichever write set it.
func (s *SQLite) conn(ctx context.Context, d durability) (*sql.Conn, error) {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExecContext(ctx, d.pragma()); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// begin takes the connection at durability d and starts a transaction on
// it. done rolls back whatever was not committed, then hands the
// connection back.
func (s *SQLite) begin(ctx context.Context, d durability) (tx *sql.Tx, done func(), err error) {
	c, err := s.conn(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	if tx, err = c.BeginTx(ctx, nil); err != nil {
		c.Close()
		return nil, nil, err
	}
	return tx, func() { _ = tx.Rollback(); c.Close() }, nil
}
