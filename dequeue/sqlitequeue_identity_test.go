package dequeue_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
)

// courierApplicationID is "crqr", the mark Open puts on a queue file.
const courierApplicationID = 0x63727172

// makeDB creates an SQLite file at path by running stmts, the way another
// program would.
func makeDB(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	for _, stmt := range stmts {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
}

// pragma reads an integer pragma of the file at path.
func pragma(t *testing.T, path, name string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var v int64
	require.NoError(t, db.QueryRow("PRAGMA "+name).Scan(&v))
	return v
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestOpenRefusesOtherDatabases(t *testing.T) {
	tests := []struct {
		name    string
		stmts   []string
		wantErr error
	}{
		{name: "users table", stmts: []string{
			"CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)",
			"INSERT INTO users (name) VALUES ('ada')",
		}, wantErr: dequeue.ErrNotQueueFile},
		{name: "its own messages table", stmts: []string{
			"CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)",
			"INSERT INTO messages (body) VALUES ('hello')",
		}, wantErr: dequeue.ErrNotQueueFile},
		{name: "courier's tables beside its own", stmts: []string{
			"CREATE TABLE users (id INTEGER PRIMARY KEY)",
			"CREATE TABLE messages (seq INTEGER PRIMARY KEY, state TEXT)",
			"CREATE INDEX messages_due ON messages (state)",
			"CREATE INDEX messages_order ON messages (seq)",
			"PRAGMA user_version = 1",
		}, wantErr: dequeue.ErrNotQueueFile},
		{name: "courier-like tables without courier's version", stmts: []string{
			"CREATE TABLE messages (seq INTEGER PRIMARY KEY, state TEXT)",
			"CREATE INDEX messages_due ON messages (state)",
			"CREATE INDEX messages_order ON messages (seq)",
		}, wantErr: dequeue.ErrNotQueueFile},
		{name: "another application_id, no tables", stmts: []string{
			"PRAGMA application_id = 42",
		}, wantErr: dequeue.ErrNotQueueFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.db")
			makeDB(t, path, tt.stmts...)
			before, err := os.ReadFile(path)
			require.NoError(t, err)
			entries := dirEntries(t, dir)

			q, err := dequeue.Open(path)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Nil(t, q)
			assert.Contains(t, err.Error(), path, "the error names the file")

			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, before, after, "Open changed the file")
			assert.Equal(t, entries, dirEntries(t, dir), "Open left files beside it")
		})
	}
}

func TestOpenNamesTheOtherTables(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	makeDB(t, path, "CREATE TABLE users (id INTEGER)", "CREATE TABLE orders (id INTEGER)")
	_, err := dequeue.Open(path)
	require.ErrorIs(t, err, dequeue.ErrNotQueueFile)
	assert.Equal(t, "dequeue: open "+path+": it is an SQLite database but not a courier queue file "+
		"(it has tables orders, users): it was left unchanged; use a new file for the queue", err.Error())
}

func TestOpenInitialisesEmptyFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{name: "no file", setup: func(*testing.T, string) {}},
		{name: "empty file", setup: func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, nil, 0o600))
		}},
		{name: "database without tables", setup: func(t *testing.T, path string) {
			makeDB(t, path, "CREATE TABLE scratch (x)", "DROP TABLE scratch")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "queue.db")
			tt.setup(t, path)
			q := openSQLite(t, path)
			require.NoError(t, q.Put(ctx, dequeue.Message{ID: "a", Payload: []byte("A")}))
			require.NoError(t, q.Close())

			assert.EqualValues(t, courierApplicationID, pragma(t, path, "application_id"))
			assert.EqualValues(t, 1, pragma(t, path, "user_version"))

			q = openSQLite(t, path)
			st, err := q.Stats(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, st.Pending, "the reopened queue keeps its message")
		})
	}
}

func TestOpenMarksQueueFilesMadeBeforeTheMark(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "queue.db")
	q := openSQLite(t, path)
	require.NoError(t, q.Put(ctx, dequeue.Message{ID: "a", Payload: []byte("A")}))
	require.NoError(t, q.Close())
	makeDB(t, path, "PRAGMA application_id = 0") // as an earlier courier left it
	require.EqualValues(t, 0, pragma(t, path, "application_id"))

	q = openSQLite(t, path)
	st, err := q.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Pending)
	require.NoError(t, q.Close())
	assert.EqualValues(t, courierApplicationID, pragma(t, path, "application_id"))
}
