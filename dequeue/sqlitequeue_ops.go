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

// Put stores msgs in one fsynced transaction: all or none.
func (s *SQLite) Put(ctx context.Context, msgs ...Message) error {
	release, err := s.use()
	if err != nil {
		return err
	}
	defer release()
	op := "put into " + s.path
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return opErr(op, err)
	}
	defer tx.Rollback()
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
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see dsn)
	if err != nil {
		return nil, opErr(op, err)
	}
	defer tx.Rollback()
	now := s.now()
	msgs, err := s.selectLeasable(ctx, tx, now, req)
	if err != nil {
		return nil, opErr(op, err)
	}
	if len(msgs) == 0 {
		return nil, nil // nothing written: the deferred rollback ends it
	}
	until := now.Add(req.Visibility).UnixNano()
	stmt, err := tx.PrepareContext(ctx, `UPDATE messages SET attempts = attempts + 1, lease_until = ? WHERE seq = ?`)
	if err != nil {
		return nil, opErr(op, err)
	}
	defer stmt.Close()
	for i := range msgs {
		if _, err := stmt.ExecContext(ctx, until, msgs[i].Seq); err != nil {
			return nil, opErr(op, err)
		}
		msgs[i].Attempts++
	}
	if err := tx.Commit(); err != nil {
		return nil, opErr(op, err)
	}
	return msgs, nil
}

// selectLeasable reads what req may lease now: due, and not leased or with
// an expired lease.
func (s *SQLite) selectLeasable(ctx context.Context, tx *sql.Tx, now time.Time, req LeaseRequest) ([]Message, error) {
	if req.InOrder {
		// The oldest pending message holds the line while it is leased or
		// waiting for its retry.
		return queryMessages(ctx, tx, `SELECT `+messageColumns+` FROM
			(SELECT * FROM messages WHERE state = 'pending' ORDER BY seq LIMIT 1)
			WHERE due_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)`, now.UnixNano())
	}
	// The leased messages are among the first the index gives, but there
	// are only as many as a dispatcher has in flight.
	return queryMessages(ctx, tx, `SELECT `+messageColumns+` FROM messages
		WHERE state = 'pending' AND due_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
		ORDER BY due_at, seq LIMIT ?2`, now.UnixNano(), req.Max)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryMessages(ctx context.Context, q querier, query string, args ...any) ([]Message, error) {
	rows, err := q.QueryContext(ctx, query, args...)
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
	return s.update(ctx, fmt.Sprintf("ack %q in %s", id, s.path),
		`DELETE FROM messages WHERE id = ? AND state = 'pending'`, id)
}

// Reschedule returns a message to the queue, due at `at`.
func (s *SQLite) Reschedule(ctx context.Context, id string, at time.Time, reason string) error {
	return s.update(ctx, fmt.Sprintf("reschedule %q in %s", id, s.path),
		`UPDATE messages SET due_at = ?, last_reason = ?, lease_until = NULL WHERE id = ? AND state = 'pending'`,
		at.UnixNano(), reason, id)
}

// DeadLetter moves a message to the dead-letter set.
func (s *SQLite) DeadLetter(ctx context.Context, id string, reason, detail string) error {
	return s.update(ctx, fmt.Sprintf("dead-letter %q in %s", id, s.path),
		`UPDATE messages SET state = 'dead', died_at = ?, dead_reason = ?, dead_detail = ?, lease_until = NULL
		WHERE id = ? AND state = 'pending'`,
		s.now().UnixNano(), reason, detail, id)
}

// update runs one statement on one pending message; no such message is
// ErrNotFound.
func (s *SQLite) update(ctx context.Context, op, query string, args ...any) error {
	release, err := s.use()
	if err != nil {
		return err
	}
	defer release()
	res, err := s.db.ExecContext(ctx, query, args...)
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
	query := `UPDATE messages SET state = 'pending', due_at = ?, attempts = 0, lease_until = NULL,
		died_at = NULL, dead_reason = '', dead_detail = '' WHERE state = 'dead'`
	now := s.now().UnixNano()
	if len(ids) == 0 {
		res, err := s.db.ExecContext(ctx, query, now)
		if err != nil {
			return 0, opErr(op, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, opErr(op, err)
		}
		return int(n), nil
	}
	n, err := s.requeueIDs(ctx, query+` AND id = ?`, now, ids)
	if err != nil {
		return 0, opErr(op, err)
	}
	return n, nil
}

// requeueIDs requeues ids one by one in one transaction.
func (s *SQLite) requeueIDs(ctx context.Context, query string, now int64, ids []string) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
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
