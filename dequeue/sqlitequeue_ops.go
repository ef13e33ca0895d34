package dequeue

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// messageColumns are what a Message is read from, in scanMessage's order.
const messageColumns = `seq, id, payload, headers, enqueued_at, due_at, attempts, last_reason`

// Put stores msgs in one fsynced transaction: all or none. When it returns
// nil they survive kill -9 and power loss.
func (s *SQLite) Put(ctx context.Context, msgs ...Message) error {
	release, err := s.use()
	if err != nil {
		return err
	}
	defer release()
	op := "put into " + s.path
	tx, done, err := s.begin(ctx, survivesPowerLoss) // the promise Put makes
	if err != nil {
		return opErr(op, err)
	}
	defer done()
	// ON CONFLICT DO NOTHING turns a taken ID into "no row inserted",
	// which is clearer to test for than a driver's constraint error code.
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO messages (id, payload, headers, enqueued_at, due_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return opErr(op, err)
	}
	defer stmt.Close()
	now := s.now().UnixNano()
	for _, msg := range msgs {
		id := msg.ID
		if id == "" {
			id = destination.NewID()
		}
		headers, err := encodeHeaders(msg.Headers)
		if err != nil {
			return opErr(fmt.Sprintf("put %q into %s", id, s.path), err)
		}
		payload := msg.Payload
		if payload == nil {
			payload = []byte{} // the column is NOT NULL
		}
		res, err := stmt.ExecContext(ctx, id, payload, headers, now, now)
		if err != nil {
			return opErr(fmt.Sprintf("put %q into %s", id, s.path), err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return opErr(fmt.Sprintf("put %q into %s", id, s.path), ErrDuplicate)
		}
	}
	if err := tx.Commit(); err != nil {
		return opErr(op, err)
	}
	return nil
}

func encodeHeaders(h map[string]string) (any, error) {
	if len(h) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("headers: %w", err)
	}
	return string(b), nil
}

// Lease returns due messages, oldest first, and makes them invisible for
// req.Visibility, in one transaction.
func (s *SQLite) Lease(ctx context.Context, req LeaseRequest) ([]Message, error) {
	release, err := s.use()
	if err != nil {
		return nil, err
	}
	defer release()
	op := "lease from " + s.path
	if req.Max < 1 {
		return nil, opErr(op, errNoMax)
	}
	// A lease that a power loss undoes only lets the message be leased
	// again (see Open).
	tx, done, err := s.begin(ctx, survivesCrash) // BEGIN IMMEDIATE (see dsn)
	if err != nil {
		return nil, opErr(op, err)
	}
	defer done()
	now := s.now()
	msgs, err := s.selectLeasable(ctx, tx, now, req)
	if err != nil {
		return nil, opErr(op, err)
	}
	if len(msgs) == 0 {
		return nil, nil // nothing written: the deferred rollback ends it
	}
	mark := tx.StmtContext(ctx, s.stmts.leaseMark)
	until := now.Add(req.Visibility).UnixNano()
	for i := range msgs {
		if _, err := mark.ExecContext(ctx, until, msgs[i].Seq); err != nil {
			return nil, opErr(op, err)
		}
		msgs[i].Attempts++
	}
	if err := tx.Commit(); err != nil {
		return nil, opErr(op, err)
	}
	return msgs, nil
}

// selectLeasable reads what req may lease now.
func (s *SQLite) selectLeasable(ctx context.Context, tx *sql.Tx, now time.Time, req LeaseRequest) ([]Message, error) {
	if req.InOrder {
		return readMessages(tx.StmtContext(ctx, s.stmts.leaseHead).QueryContext(ctx, now.UnixNano()))
	}
	return readMessages(tx.StmtContext(ctx, s.stmts.leaseDue).QueryContext(ctx, now.UnixNano(), req.Max))
}

// readMessages reads the rows of a query for messageColumns.
func readMessages(rows *sql.Rows, err error) ([]Message, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var msgs []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, rows.Err()
}

// scanMessage reads messageColumns, then any further columns into extra.
func scanMessage(rows *sql.Rows, extra ...any) (Message, error) {
	var (
		m                 Message
		headers           sql.NullString
		enqueuedAt, dueAt int64
	)
	dest := append([]any{&m.Seq, &m.ID, &m.Payload, &headers, &enqueuedAt, &dueAt, &m.Attempts, &m.LastReason}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return Message{}, err
	}
	if headers.Valid {
		if err := json.Unmarshal([]byte(headers.String), &m.Headers); err != nil {
			return Message{}, fmt.Errorf("message %q: headers: %w", m.ID, err)
		}
	}
	if len(m.Payload) == 0 {
		m.Payload = nil
	}
	m.EnqueuedAt = time.Unix(0, enqueuedAt)
	m.DueAt = time.Unix(0, dueAt)
	return m, nil
}

// Ack removes a delivered message.
func (s *SQLite) Ack(ctx context.Context, id string) error {
	return s.update(ctx, fmt.Sprintf("ack %q in %s", id, s.path), s.stmts.ack, id)
}

// Reschedule returns a message to the queue, due at `at`.
func (s *SQLite) Reschedule(ctx context.Context, id string, at time.Time, reason string) error {
	return s.update(ctx, fmt.Sprintf("reschedule %q in %s", id, s.path), s.stmts.reschedule,
		at.UnixNano(), reason, id)
}

// DeadLetter moves a message to the dead-letter set.
func (s *SQLite) DeadLetter(ctx context.Context, id string, reason, detail string) error {
	return s.update(ctx, fmt.Sprintf("dead-letter %q in %s", id, s.path), s.stmts.deadLetter,
		s.now().UnixNano(), reason, detail, id)
}

// update runs stmt on one pending message, committed to survive a crash
// but not a power loss, which may undo it only by delivering the message
// again (see Open); no such message is ErrNotFound.
func (s *SQLite) update(ctx context.Context, op string, stmt *sql.Stmt, args ...any) error {
	release, err := s.use()
	if err != nil {
		return err
	}
	defer release()
	// In a transaction of its own, since only a transaction can run a
	// statement prepared on the database on the connection held.
	tx, done, err := s.begin(ctx, survivesCrash)
	if err != nil {
		return opErr(op, err)
	}
	defer done()
	res, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, args...)
	if err != nil {
		return opErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return opErr(op, err)
	}
	if n == 0 {
		return opErr(op, ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return opErr(op, err)
	}
	return nil
}

// Dead lists the dead letters, oldest first.
func (s *SQLite) Dead(ctx context.Context) ([]DeadLetter, error) {
	release, err := s.use()
	if err != nil {
		return nil, err
	}
	defer release()
	op := "list dead letters in " + s.path
	rows, err := s.db.QueryContext(ctx, `SELECT `+messageColumns+`, died_at, dead_reason, dead_detail
		FROM messages WHERE state = 'dead' ORDER BY died_at, seq`)
	if err != nil {
		return nil, opErr(op, err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var (
			d      DeadLetter
			diedAt int64
		)
		if d.Message, err = scanMessage(rows, &diedAt, &d.Reason, &d.Detail); err != nil {
			return nil, opErr(op, err)
		}
		d.DiedAt = time.Unix(0, diedAt)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, opErr(op, err)
	}
	return out, nil
}

// Requeue moves dead letters back to the queue, due now, attempts reset; no
// ids means all.
func (s *SQLite) Requeue(ctx context.Context, ids ...string) (int, error) {
	release, err := s.use()
	if err != nil {
		return 0, err
	}
	defer release()
	op := "requeue in " + s.path
	// Fsynced like Put: whoever requeues is told the messages are back.
	c, err := s.conn(ctx, survivesPowerLoss)
	if err != nil {
		return 0, opErr(op, err)
	}
	defer c.Close()
	query := `UPDATE messages SET state = 'pending', due_at = ?, attempts = 0, lease_until = NULL,
		died_at = NULL, dead_reason = '', dead_detail = '' WHERE state = 'dead'`
	now := s.now().UnixNano()
	if len(ids) == 0 {
		res, err := c.ExecContext(ctx, query, now)
		if err != nil {
			return 0, opErr(op, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, opErr(op, err)
		}
		return int(n), nil
	}
	n, err := requeueIDs(ctx, c, query+` AND id = ?`, now, ids)
	if err != nil {
		return 0, opErr(op, err)
	}
	return n, nil
}

// requeueIDs requeues ids one by one in one transaction.
func requeueIDs(ctx context.Context, c *sql.Conn, query string, now int64, ids []string) (int, error) {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	moved := 0
	for _, id := range ids {
		res, err := stmt.ExecContext(ctx, now, id)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		moved += int(n)
	}
	return moved, tx.Commit()
}

// Stats counts messages by state.
func (s *SQLite) Stats(ctx context.Context) (Stats, error) {
	release, err := s.use()
	if err != nil {
		return Stats{}, err
	}
	defer release()
	now := s.now().UnixNano()
	var st Stats
	err = s.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(state = 'pending' AND (lease_until IS NULL OR lease_until <= ?1)), 0),
		COALESCE(SUM(state = 'pending' AND due_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)), 0),
		COALESCE(SUM(state = 'pending' AND lease_until > ?1), 0),
		COALESCE(SUM(state = 'dead'), 0)
		FROM messages`, now).Scan(&st.Pending, &st.Due, &st.InFlight, &st.Dead)
	if err != nil {
		return Stats{}, opErr("count messages in "+s.path, err)
	}
	return st, nil
}
