package dequeue_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// A dispatcher takes the file's lock itself: a second one on the same file
// is refused even when nobody called LockForDispatch by hand.
func TestNewDispatcherLocksTheQueueFile(t *testing.T) {
	srv := destinationtest.NewServer(t)
	client, err := destination.New(srv.Destination(t))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "out.db")

	q1, err := dequeue.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = q1.Close() })
	require.NoError(t, q1.Put(context.Background(), dequeue.Message{ID: "m1", Payload: []byte("x")}))
	_, err = dequeue.NewDispatcher(q1, client)
	require.NoError(t, err)

	q2, err := dequeue.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = q2.Close() })
	_, err = dequeue.NewDispatcher(q2, client)
	require.ErrorIs(t, err, dequeue.ErrLocked)

	n, err := q1.LockForDispatch()
	require.NoError(t, err, "locking again through the same handle does nothing")
	assert.Zero(t, n)
}
