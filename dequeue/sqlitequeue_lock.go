package dequeue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// LockForDispatch makes this the one dispatcher of the file. It takes an
// exclusive, non-blocking OS lock on PATH.lock (flock), writes this
// process's ID into it, and holds it until Close or the process ends: the
// kernel releases it even after kill -9. While another process (or another
// *SQLite in this one) holds it, it fails with an error that wraps
// ErrLocked and names the holder's pid.
//
// Holding the lock proves that no other dispatcher is running, so every
// leased message is an abandoned delivery of a dead predecessor:
// LockForDispatch makes them due at once, instead of after their
// visibility timeout, and returns how many it recovered. Calling it again
// on a queue that holds the lock does nothing. Put, Stats, Dead and Requeue
// never need the lock.
func (s *SQLite) LockForDispatch() (recovered int, err error) {
	release, err := s.use()
	if err != nil {
		return 0, err
	}
	defer release()
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	if s.lock != nil {
		return 0, nil
	}
	op := "lock " + s.path + " for dispatch"
	f, err := lockFile(s.path + ".lock")
	if errors.Is(err, errWouldBlock) {
		return 0, &lockedError{path: s.path, pid: holderPID(s.path + ".lock")}
	}
	if err != nil {
		return 0, opErr(op, err)
	}
	if err := writePID(f); err != nil {
		_ = unlockFile(f)
		return 0, opErr(op, err)
	}
	n, err := s.recoverLeases()
	if err != nil {
		_ = unlockFile(f)
		return 0, opErr(op, err)
	}
	s.lock = f
	return n, nil
}

// errWouldBlock is lockFile's "someone else holds it".
var errWouldBlock = errors.New("lock held by another process")

// writePID records who holds the lock, for the error a second dispatcher
// shows.
func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// holderPID reads the pid the lock's holder wrote, or "" if it cannot.
func holderPID(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 32))
	if err != nil {
		return ""
	}
	pid := strings.TrimSpace(string(b))
	if _, err := strconv.Atoi(pid); err != nil {
		return ""
	}
	return pid
}

// recoverLeases ends every lease. A leased message was due when it was
// leased, so it is due now, in its old place. Like the dispatcher's own
// writes, it need not survive a power loss: the next LockForDispatch
// recovers the same leases again.
func (s *SQLite) recoverLeases() (int, error) {
	ctx := context.Background()
	c, err := s.conn(ctx, survivesCrash)
	if err != nil {
		return 0, fmt.Errorf("recover leased messages: %w", err)
	}
	defer c.Close()
	res, err := c.ExecContext(ctx,
		`UPDATE messages SET lease_until = NULL WHERE state = 'pending' AND lease_until IS NOT NULL`)
	if err != nil {
		return 0, fmt.Errorf("recover leased messages: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
