package dequeue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// DefaultBusyTimeout is how long a write waits for another process's write
// to the same queue file before it fails.
const DefaultBusyTimeout = 10 * time.Second

// SQLite is the durable Queue: one SQLite file on local disk, opened by Open.
type SQLite struct {
	path  string
	db    *sql.DB
	stmts sqliteStmts
	now   func() time.Time

	// mu is read-locked by every operation and write-locked by Close, so
	// that Close waits for operations under way and later ones see closed.
	mu     sync.RWMutex
	closed bool
	lockMu sync.Mutex
	lock   *os.File // the dispatch lock, once LockForDispatch took it
}

// use starts an operation: ErrClosed after Close, else a func that ends it.
func (s *SQLite) use() (release func(), err error) {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, ErrClosed
	}
	return s.mu.RUnlock, nil
}

// SQLiteOption configures Open.
type SQLiteOption func(*sqliteSettings) error

type sqliteSettings struct {
	now  func() time.Time
	busy time.Duration
}

// WithSQLiteClock makes the queue read the time from now instead of
// time.Now (due times, leases, enqueue and death times), so that tests can
// move time without sleeping.
func WithSQLiteClock(now func() time.Time) SQLiteOption {
	return func(s *sqliteSettings) error {
		if now == nil {
			return errors.New("WithSQLiteClock(nil): want a clock")
		}
		s.now = now
		return nil
	}
}

// WithBusyTimeout sets how long a write waits while another process writes
// to the file (DefaultBusyTimeout unless set).
func WithBusyTimeout(d time.Duration) SQLiteOption {
	return func(s *sqliteSettings) error {
		if d < 0 {
			return fmt.Errorf("WithBusyTimeout(%s): want zero or more", d)
		}
		s.busy = d
		return nil
	}
}

// schemaVersion is stored in PRAGMA user_version; a file written by a newer
// courier is refused rather than misread.
const schemaVersion = 1

// schema creates the one table. Times are Unix nanoseconds. A message may
// be leased when it is pending, due, and its lease_until is NULL or past;
// leasing keeps due_at, so that a recovered message keeps its place.
const schema = `
CREATE TABLE IF NOT EXISTS messages (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: strict FIFO follows it
	id          TEXT    NOT NULL UNIQUE,
	payload     BLOB    NOT NULL,
	headers     TEXT,                              -- JSON object, NULL when none
	enqueued_at INTEGER NOT NULL,
	due_at      INTEGER NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_reason TEXT    NOT NULL DEFAULT '',
	lease_until INTEGER,                           -- NULL when not leased
	state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
	died_at     INTEGER,
	dead_reason TEXT    NOT NULL DEFAULT '',
	dead_detail TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS messages_due ON messages (state, due_at, seq);
CREATE INDEX IF NOT EXISTS messages_order ON messages (state, seq);
`

// Open opens the durable queue in the SQLite file at path, creating it
// (mode 0600) when it does not exist. The directory must exist and be on a
// local disk: the file is shared between processes through SQLite's locks
// and the OS's file locks, which network file systems do not honour.
//
// Any number of processes may Put, list, count and requeue at the same
// time (a write waits up to the busy timeout for another's); only one
// should dispatch, which LockForDispatch guarantees. A lease is one BEGIN
// IMMEDIATE transaction.
//
// What survives what. The file is in WAL mode: a commit appends to the
// write-ahead log, and the file is always as it was after some commit.
//   - Put and Requeue commit with synchronous=FULL: the log is fsynced
//     before they return. Their messages survive kill -9, an OS crash and
//     power loss.
//   - Lease, Ack, Reschedule, DeadLetter and LockForDispatch's recovery
//     commit with synchronous=NORMAL: the log is written, not fsynced.
//     A written commit is in the OS's cache, which outlives the process:
//     it survives kill -9. It reaches the disk with the next fsync of the
//     log: the next Put or Requeue, from any process (an fsync covers the
//     whole file, so every earlier commit too), or the next checkpoint.
//   - An OS crash or power loss may undo the latest NORMAL commits, and
//     only those: recovery keeps the log up to its last intact commit, and
//     commits are kept in order, so the file is as it was after a commit no
//     earlier than the last fsynced one, never corrupt, and with every Put
//     that returned. Each undone commit means a message is delivered again,
//     never lost: an undone Ack leaves the message pending, to be delivered
//     again (a duplicate, which at least once allows); an undone Lease
//     leaves it unleased, with that attempt not counted; an undone
//     Reschedule leaves it leased, so the next LockForDispatch makes it due
//     at once; an undone DeadLetter leaves it pending, to be tried again.
//
// So the dispatcher's writes cost no fsync; only Put and Requeue wait for
// the disk.
//
// Beyond the Queue interface: Put refuses the whole batch with ErrDuplicate
// when an ID is taken (dead letters included) and generates a UUID v4 for a
// message without an ID; Lease with InOrder returns at most the oldest
// pending message, only when it is due and not leased; Ack, Reschedule and
// DeadLetter act on any pending message, leased or not, and return
// ErrNotFound for dead or unknown IDs; Requeue ignores IDs that are not dead
// letters. Payloads of tens of MiB are fine; each is held in memory while
// it is put or leased. After Close every method returns ErrClosed.
func Open(path string, opts ...SQLiteOption) (*SQLite, error) {
	set := sqliteSettings{now: time.Now, busy: DefaultBusyTimeout}
	for _, opt := range opts {
		if err := opt(&set); err != nil {
			return nil, opErr("open "+path, err)
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, opErr("open "+path, err)
	}
	created, err := createFile(abs)
	if err != nil {
		return nil, opErr("open "+path, err)
	}
	db, err := sql.Open("sqlite", dsn(abs, set.busy))
	if err != nil {
		return nil, opErr("open "+path, err)
	}
	// One connection: the process's goroutines queue in database/sql, which
	// is much faster than SQLite's busy-wait sleeps; other processes still
	// wait through busy_timeout.
	db.SetMaxOpenConns(1)
	s := &SQLite{path: path, db: db, now: set.now}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, opErr("open "+path, err)
	}
	if err := s.prepare(context.Background()); err != nil {
		db.Close()
		return nil, opErr("open "+path, err)
	}
	if created {
		// Make the new file's directory entry durable too.
		if err := syncDir(filepath.Dir(abs)); err != nil {
			db.Close()
			return nil, opErr("open "+path, err)
		}
	}
	return s, nil
}

// dsn is the driver's name for the file: an escaped file: URI carrying the
// pragmas every connection needs. None of them writes to the file: WAL mode,
// which does, is set by migrate once the file is known to be a queue file.
func dsn(abs string, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate") // every transaction here writes: take the write lock first
	return "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + q.Encode()
}

// createFile creates an empty file (an empty SQLite database) readable by
// its owner only, since payloads may be confidential. It reports whether it
// created one.
func createFile(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// migrate creates the schema in a new file, marks a queue file written
// before the mark, refuses a file written by a newer schema or by another
// program, and then puts the file in WAL mode. It decides in the same
// transaction as it writes, and writes nothing to a refused file.
func (s *SQLite) migrate() error {
	ctx := context.Background()
	c, err := s.conn(ctx, survivesPowerLoss)
	if err != nil {
		return fmt.Errorf("not a readable SQLite file (is it a courier queue file?): %w", err)
	}
	defer c.Close()
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("not a readable SQLite file (is it a courier queue file?): %w", err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("not a readable SQLite file (is it a courier queue file?): %w", err)
	}
	kind, err := identify(ctx, tx)
	if err != nil {
		return err
	}
	if kind != kindEmpty && version > schemaVersion {
		return fmt.Errorf("queue file version %d was written by a newer courier (this one reads version %d): use that courier", version, schemaVersion)
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create tables: %w", err)
	}
	if kind != kindQueue || version != schemaVersion {
		stmt := fmt.Sprintf("PRAGMA user_version = %d; PRAGMA application_id = %d", schemaVersion, applicationID)
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("set version: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// Persistent: every later connection to the file opens it in WAL mode.
	var mode string
	if err := c.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("set WAL mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("set WAL mode: the file stays in %s mode: put it on a local disk", mode)
	}
	return nil
}

// Path returns the file's path as given to Open.
func (s *SQLite) Path() string { return s.path }

// Close releases the dispatch lock, if held, and closes the file. Messages
// leased and not yet acked stay in the file; the next LockForDispatch makes
// them due again.
func (s *SQLite) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := errors.Join(s.stmts.close(), s.db.Close())
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	if s.lock != nil {
		err = errors.Join(err, unlockFile(s.lock))
		s.lock = nil
	}
	if err != nil {
		return opErr("close "+s.path, err)
	}
	return nil
}
