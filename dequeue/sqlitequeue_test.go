package dequeue_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
)

func openSQLite(t *testing.T, path string, opts ...dequeue.SQLiteOption) *dequeue.SQLite {
	t.Helper()
	q, err := dequeue.Open(path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })
	return q
}

func TestSQLiteSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "queue.db")
	q := openSQLite(t, path)
	require.NoError(t, q.Put(ctx,
		dequeue.Message{ID: "a", Payload: []byte("A"), Headers: map[string]string{"X-Kind": "order"}},
		dequeue.Message{ID: "b", Payload: []byte("B")},
		dequeue.Message{ID: "c", Payload: []byte("C")},
	))
	leased, err := q.Lease(ctx, dequeue.LeaseRequest{Max: 2, Visibility: time.Hour})
	require.NoError(t, err)
	require.Len(t, leased, 2)
	require.NoError(t, q.DeadLetter(ctx, "b", "http_status", "400 Bad Request"))
	require.NoError(t, q.Close())

	q = openSQLite(t, path)
	st, err := q.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, dequeue.Stats{Pending: 1, Due: 1, InFlight: 1, Dead: 1}, st)
	dead, err := q.Dead(ctx)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, "400 Bad Request", dead[0].Detail)

	recovered, err := q.LockForDispatch()
	require.NoError(t, err)
	assert.Equal(t, 1, recovered, "a's lease was abandoned when the file was closed")
	msgs, err := q.Lease(ctx, dequeue.LeaseRequest{Max: 10, Visibility: time.Hour})
	require.NoError(t, err)
	require.Equal(t, []string{"a", "c"}, ids(msgs))
	assert.Equal(t, map[string]string{"X-Kind": "order"}, msgs[0].Headers)
	assert.Equal(t, 2, msgs[0].Attempts)
	assert.Equal(t, "C", string(msgs[1].Payload))
}

func TestSQLiteLargePayload(t *testing.T) {
	// 64 MiB works too (about 5 s here: WAL write, fsync, checkpoint);
	// COURIER_BIG_PAYLOAD=1 tries it.
	size := 8 << 20
	switch {
	case os.Getenv("COURIER_BIG_PAYLOAD") != "":
		size = 64 << 20
	case testing.Short() || raceEnabled:
		size = 4 << 20 // the transpiled SQLite is slow under the race detector
	}
	ctx := context.Background()
	payload := make([]byte, size)
	_, _ = rand.Read(payload)
	q := openSQLite(t, filepath.Join(t.TempDir(), "queue.db"))
	require.NoError(t, q.Put(ctx, dequeue.Message{ID: "big", Payload: payload}))
	msgs, err := q.Lease(ctx, dequeue.LeaseRequest{Max: 1, Visibility: time.Minute})
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.True(t, string(payload) == string(msgs[0].Payload), "payload came back changed")
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	openSQLite(t, path)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notSQLite := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notSQLite, []byte(strings.Repeat("not a database\n", 100)), 0o600))

	tests := []struct {
		name    string
		path    string
		opts    []dequeue.SQLiteOption
		wantErr error
	}{
		{name: "no such directory", path: filepath.Join(dir, "missing", "queue.db"), wantErr: fs.ErrNotExist},
		{name: "not a SQLite file", path: notSQLite},
		{name: "nil clock", path: filepath.Join(dir, "q.db"), opts: []dequeue.SQLiteOption{dequeue.WithSQLiteClock(nil)}},
		{name: "negative busy timeout", path: filepath.Join(dir, "q.db"), opts: []dequeue.SQLiteOption{dequeue.WithBusyTimeout(-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := dequeue.Open(tt.path, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, q)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "dequeue: open "+tt.path), "the error names the file: %v", err)
		})
	}
}

func TestSQLiteSecondDispatcherIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	first := openSQLite(t, path)
	_, err := first.LockForDispatch()
	require.NoError(t, err)
	again, err := first.LockForDispatch()
	require.NoError(t, err, "locking again is harmless")
	assert.Zero(t, again)

	second := openSQLite(t, path)
	_, err = second.LockForDispatch()
	require.ErrorIs(t, err, dequeue.ErrLocked)
	assert.Contains(t, err.Error(), fmt.Sprintf("(pid %d)", os.Getpid()), "the error names the holder")
	assert.Contains(t, err.Error(), path)

	require.NoError(t, first.Close())
	_, err = second.LockForDispatch()
	require.NoError(t, err, "Close releases the lock")
}

func TestSQLiteOtherProcessPutsWhileLocked(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "queue.db")
	q := openSQLite(t, path)
	_, err := q.LockForDispatch()
	require.NoError(t, err)

	out, err := helperCommand(t, "put", path, "from-child").CombinedOutput()
	require.NoError(t, err, "child: %s", out)

	msgs, err := q.Lease(ctx, dequeue.LeaseRequest{Max: 10, Visibility: time.Minute})
	require.NoError(t, err)
	require.Equal(t, []string{"from-child"}, ids(msgs))
	assert.Equal(t, "put by another process", string(msgs[0].Payload))
}

// TestSQLiteRecoversFromKilledDispatcher kills a child that holds the
// dispatch lock and three leases: the parent gets the lock and all three
// back at once, though their visibility timeout is an hour away.
func TestSQLiteRecoversFromKilledDispatcher(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "queue.db")
	q := openSQLite(t, path)
	put(t, q, "a", "b", "c", "d", "e")

	child := helperCommand(t, "dispatch", path, "3")
	stdin, err := child.StdinPipe() // the child waits for EOF, which never comes
	require.NoError(t, err)
	defer stdin.Close()
	stdout, err := child.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "child said %q", line)
	require.Equal(t, "leased 3\n", line)

	_, err = q.LockForDispatch()
	require.ErrorIs(t, err, dequeue.ErrLocked)
	assert.Contains(t, err.Error(), "(pid "+strconv.Itoa(child.Process.Pid)+")")

	require.NoError(t, child.Process.Signal(syscall.SIGKILL))
	_ = child.Wait()

	recovered, err := q.LockForDispatch()
	require.NoError(t, err)
	assert.Equal(t, 3, recovered)
	st, err := q.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, dequeue.Stats{Pending: 5, Due: 5}, st)
	msgs, err := q.Lease(ctx, dequeue.LeaseRequest{Max: 10, Visibility: time.Minute})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"a", "b", "c", "d", "e"}, ids(msgs))
}

func TestSQLiteConcurrentHandles(t *testing.T) {
	// Two handles on one file (two connections, as two processes would
	// have) lease from it at the same time: no message goes to both.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "queue.db")
	a, b := openSQLite(t, path), openSQLite(t, path)
	all := make([]string, 100)
	for i := range all {
		all[i] = fmt.Sprintf("m%03d", i)
	}
	put(t, a, all...)
	got := make(chan []string, 2)
	for _, q := range []*dequeue.SQLite{a, b} {
		go func() {
			var mine []string
			for {
				msgs, err := q.Lease(ctx, dequeue.LeaseRequest{Max: 2, Visibility: time.Hour})
				if err != nil || len(msgs) == 0 {
					assert.NoError(t, err)
					got <- mine
					return
				}
				mine = append(mine, ids(msgs)...)
			}
		}()
	}
	both := append(<-got, <-got...)
	assert.ElementsMatch(t, all, both)
}

// helperCommand runs a helper child process (see TestMain).
func helperCommand(t *testing.T, mode string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--")
	cmd.Args = append(cmd.Args, args...)
	cmd.Env = append(os.Environ(), "COURIER_DEQUEUE_HELPER="+mode)
	return cmd
}

func helper(mode string, args []string) error {
	ctx := context.Background()
	q, err := dequeue.Open(args[0])
	if err != nil {
		return err
	}
	defer q.Close()
	switch mode {
	case "put":
		return q.Put(ctx, dequeue.Message{ID: args[1], Payload: []byte("put by another process")})
	case "dispatch":
		if _, err := q.LockForDispatch(); err != nil {
			return err
		}
		n, _ := strconv.Atoi(args[1])
		msgs, err := q.Lease(ctx, dequeue.LeaseRequest{Max: n, Visibility: time.Hour})
		if err != nil {
			return err
		}
		fmt.Printf("leased %d\n", len(msgs))
		_, _ = io.Copy(io.Discard, os.Stdin) // hold the lock until killed
		return nil
	}
	return errors.New("unknown helper mode " + mode)
}
