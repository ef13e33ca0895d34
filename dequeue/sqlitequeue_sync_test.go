package dequeue

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PRAGMA synchronous reads 1 for NORMAL and 2 for FULL.
const (
	syncNormal = 1
	syncFull   = 2
)

// TestSQLiteSyncLevels checks that each write ran at the level Open's doc
// comment promises, by reading the level back from the one connection,
// which keeps the last level set. Before each write the connection is set
// to the other level, so that a write that sets none fails the test.
func TestSQLiteSyncLevels(t *testing.T) {
	ctx := context.Background()
	q, err := Open(filepath.Join(t.TempDir(), "queue.db"))
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })
	require.NoError(t, q.Put(ctx, Message{ID: "a"}, Message{ID: "b"}, Message{ID: "c"}))

	tests := []struct {
		name  string
		write func() error
		want  int
	}{
		{name: "put", want: syncFull, write: func() error { return q.Put(ctx, Message{ID: "d"}) }},
		{name: "lease", want: syncNormal, write: func() error {
			_, err := q.Lease(ctx, LeaseRequest{Max: 4, Visibility: time.Hour})
			return err
		}},
		{name: "ack", want: syncNormal, write: func() error { return q.Ack(ctx, "a") }},
		{name: "reschedule", want: syncNormal, write: func() error { return q.Reschedule(ctx, "b", time.Now(), "http_status") }},
		{name: "dead-letter", want: syncNormal, write: func() error { return q.DeadLetter(ctx, "c", "http_status", "400") }},
		{name: "requeue", want: syncFull, write: func() error {
			_, err := q.Requeue(ctx, "c")
			return err
		}},
		{name: "requeue all", want: syncFull, write: func() error {
			_, err := q.Requeue(ctx)
			return err
		}},
		{name: "recover leases", want: syncNormal, write: func() error {
			_, err := q.LockForDispatch()
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := survivesCrash
			if tt.want == syncNormal {
				other = survivesPowerLoss
			}
			setSync(t, q, other)
			require.NoError(t, tt.write())
			assert.Equal(t, tt.want, readSync(t, q))
		})
	}
}

// TestSQLiteSyncLevelAfterOpen checks that Open leaves its connection at
// FULL, as the dsn sets it and migrate keeps it.
func TestSQLiteSyncLevelAfterOpen(t *testing.T) {
	q, err := Open(filepath.Join(t.TempDir(), "queue.db"))
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })
	assert.Equal(t, syncFull, readSync(t, q))
}

func setSync(t *testing.T, q *SQLite, d durability) {
	t.Helper()
	c, err := q.conn(context.Background(), d)
	require.NoError(t, err)
	require.NoError(t, c.Close())
}

func readSync(t *testing.T, q *SQLite) int {
	t.Helper()
	var level int
	require.NoError(t, q.db.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&level))
	return level
}
