package dequeue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The dispatcher's statements. Times are Unix nanoseconds.
const (
	// leaseDueQuery reads what a lease may take now: due, and not leased
	// or with an expired lease. The leased messages are among the first
	// the index gives, but there are only as many as a dispatcher has in
	// flight.
	leaseDueQuery = `SELECT ` + messageColumns + ` FROM messages
		WHERE state = 'pending' AND due_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
		ORDER BY due_at, seq LIMIT ?2`
	// leaseHeadQuery is leaseDueQuery for strict FIFO: the oldest pending
	// message holds the line while it is leased or waiting for its retry.
	leaseHeadQuery = `SELECT ` + messageColumns + ` FROM
		(SELECT * FROM messages WHERE state = 'pending' ORDER BY seq LIMIT 1)
		WHERE due_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)`
	leaseMarkQuery  = `UPDATE messages SET attempts = attempts + 1, lease_until = ? WHERE seq = ?`
	ackQuery        = `DELETE FROM messages WHERE id = ? AND state = 'pending'`
	rescheduleQuery = `UPDATE messages SET due_at = ?, last_reason = ?, lease_until = NULL
		WHERE id = ? AND state = 'pending'`
	deadLetterQuery = `UPDATE messages SET state = 'dead', died_at = ?, dead_reason = ?, dead_detail = ?,
		lease_until = NULL WHERE id = ? AND state = 'pending'`
)

// sqliteStmts are the dispatcher's statements, prepared once. Once fsyncs
// are gone from its path (see Open), SQLite spends as much time planning
// each statement as running it; database/sql keeps the plans per
// connection and Tx.StmtContext reuses them.
type sqliteStmts struct {
	leaseDue, leaseHead, leaseMark *sql.Stmt
	ack, reschedule, deadLetter    *sql.Stmt
}

// prepare prepares every statement of sqliteStmts, or none.
func (s *SQLite) prepare(ctx context.Context) error {
	st := &s.stmts
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&st.leaseDue, leaseDueQuery},
		{&st.leaseHead, leaseHeadQuery},
		{&st.leaseMark, leaseMarkQuery},
		{&st.ack, ackQuery},
		{&st.reschedule, rescheduleQuery},
		{&st.deadLetter, deadLetterQuery},
	} {
		stmt, err := s.db.PrepareContext(ctx, p.query)
		if err != nil {
			return errors.Join(fmt.Errorf("prepare statements: %w", err), st.close())
		}
		*p.stmt = stmt
	}
	return nil
}

// close closes the statements prepared so far.
func (st *sqliteStmts) close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{st.leaseDue, st.leaseHead, st.leaseMark, st.ack, st.reschedule, st.deadLetter} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}
