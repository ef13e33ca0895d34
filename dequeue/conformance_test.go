package dequeue_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
)

// newQueue makes an empty queue that reads the time from clock.
type newQueue func(t *testing.T, clock func() time.Time) dequeue.Queue

// implementations are every Queue the package has; each behaviour below
// runs against all of them.
var implementations = []struct {
	name string
	open newQueue
}{
	{"memory", func(t *testing.T, clock func() time.Time) dequeue.Queue {
		q := dequeue.NewMemory(dequeue.WithMemoryClock(clock))
		t.Cleanup(func() { q.Close() })
		return q
	}},
	{"sqlite", func(t *testing.T, clock func() time.Time) dequeue.Queue {
		q, err := dequeue.Open(filepath.Join(t.TempDir(), "queue.db"), dequeue.WithSQLiteClock(clock))
		require.NoError(t, err)
		t.Cleanup(func() { q.Close() })
		return q
	}},
}

// behaviours is the Queue contract, one test per behaviour.
var behaviours = []struct {
	name string
	test func(t *testing.T, q dequeue.Queue, clock *fakeClock)
}{
	{"put lease ack", testPutLeaseAck},
	{"put generates ids", testPutGeneratesIDs},
	{"put is all or none", testPutAllOrNone},
	{"lease takes at most Max, oldest first", testLeaseMax},
	{"lease orders by due time then seq", testLeaseOrder},
	{"visibility timeout expires", testVisibilityExpiry},
	{"reschedule to the future", testRescheduleFuture},
	{"in order: the head holds the line", testInOrder},
	{"dead letters and requeue", testDeadLetters},
	{"requeue by id", testRequeueByID},
	{"stats", testStats},
	{"unknown or dead ids are not found", testNotFound},
	{"a lease needs Max", testLeaseNeedsMax},
	{"closed", testClosed},
	{"concurrent leases never share a message", testConcurrentLeases},
}

func TestConformance(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			for _, b := range behaviours {
				t.Run(b.name, func(t *testing.T) {
					clock := newFakeClock()
					b.test(t, impl.open(t, clock.Now), clock)
				})
			}
		})
	}
}

const visibility = time.Minute

// put stores messages with the given ids and a payload naming each.
func put(t *testing.T, q dequeue.Queue, ids ...string) {
	t.Helper()
	msgs := make([]dequeue.Message, len(ids))
	for i, id := range ids {
		msgs[i] = dequeue.Message{ID: id, Payload: []byte("payload of " + id)}
	}
	require.NoError(t, q.Put(context.Background(), msgs...))
}

func lease(t *testing.T, q dequeue.Queue, max int) []dequeue.Message {
	t.Helper()
	msgs, err := q.Lease(context.Background(), dequeue.LeaseRequest{Max: max, Visibility: visibility})
	require.NoError(t, err)
	return msgs
}

func leaseInOrder(t *testing.T, q dequeue.Queue) []dequeue.Message {
	t.Helper()
	msgs, err := q.Lease(context.Background(), dequeue.LeaseRequest{Max: 10, Visibility: visibility, InOrder: true})
	require.NoError(t, err)
	return msgs
}

func ids(msgs []dequeue.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func stats(t *testing.T, q dequeue.Queue) dequeue.Stats {
	t.Helper()
	s, err := q.Stats(context.Background())
	require.NoError(t, err)
	return s
}

func testPutLeaseAck(t *testing.T, q dequeue.Queue, clock *fakeClock) {
	ctx := context.Background()
	binary := []byte{0, 1, 2, 0xff, 0}
	require.NoError(t, q.Put(ctx,
		dequeue.Message{ID: "a", Payload: binary, Headers: map[string]string{"X-Order": "7", "Content-Type": "application/xml"}},
		dequeue.Message{ID: "b", Payload: []byte("b")},
		dequeue.Message{ID: "c"},
	))
	start := clock.Now()
	clock.Advance(time.Second)

	msgs := lease(t, q, 10)
	require.Equal(t, []string{"a", "b", "c"}, ids(msgs))
	a := msgs[0]
	assert.Equal(t, binary, a.Payload)
	assert.Equal(t, map[string]string{"X-Order": "7", "Content-Type": "application/xml"}, a.Headers)
	assert.Equal(t, 1, a.Attempts)
	assert.Empty(t, a.LastReason)
	assert.True(t, a.EnqueuedAt.Equal(start), "EnqueuedAt %s, want %s", a.EnqueuedAt, start)
	assert.True(t, a.DueAt.Equal(start), "DueAt %s, want %s", a.DueAt, start)
	assert.Less(t, msgs[0].Seq, msgs[1].Seq)
	assert.Less(t, msgs[1].Seq, msgs[2].Seq)
	assert.Empty(t, msgs[2].Payload)
	assert.Nil(t, msgs[2].Headers)

	assert.Empty(t, lease(t, q, 10), "leased messages are invisible")
	for _, m := range msgs {
		require.NoError(t, q.Ack(ctx, m.ID))
	}
	assert.Equal(t, dequeue.Stats{}, stats(t, q))
	clock.Advance(2 * visibility)
	assert.Empty(t, lease(t, q, 10), "acked messages are gone")
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func testPutGeneratesIDs(t *testing.T, q dequeue.Queue, _ *fakeClock) {
	require.NoError(t, q.Put(context.Background(), dequeue.Message{Payload: []byte("x")}, dequeue.Message{Payload: []byte("y")}))
	msgs := lease(t, q, 10)
	require.Len(t, msgs, 2)
	assert.Regexp(t, uuidV4, msgs[0].ID)
	assert.Regexp(t, uuidV4, msgs[1].ID)
	assert.NotEqual(t, msgs[0].ID, msgs[1].ID)
}

func testPutAllOrNone(t *testing.T, q dequeue.Queue, _ *fakeClock) {
	put(t, q, "a")
	tests := []struct {
		name    string
		ids     []string
		wantErr error
	}{
		{"taken id", []string{"b", "a"}, dequeue.ErrDuplicate},
		{"repeated in the batch", []string{"c", "d", "c"}, dequeue.ErrDuplicate},
		{"all new", []string{"e", "f"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := make([]dequeue.Message, len(tt.ids))
			for i, id := range tt.ids {
				msgs[i] = dequeue.Message{ID: id}
			}
			err := q.Put(context.Background(), msgs...)
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
	assert.Equal(t, []string{"a", "e", "f"}, ids(lease(t, q, 10)), "failed batches stored nothing")
}

func testLeaseMax(t *testing.T, q dequeue.Queue, _ *fakeClock) {
	put(t, q, "a", "b", "c", "d", "e")
	assert.Equal(t, []string{"a", "b"}, ids(lease(t, q, 2)))
	assert.Equal(t, []string{"c", "d", "e"}, ids(lease(t, q, 10)))
}

func testLeaseOrder(t *testing.T, q dequeue.Queue, clock *fakeClock) {
	ctx := context.Background()
	put(t, q, "a", "b", "c", "d")
	lease(t, q, 3)
	now := clock.Now()
	require.NoError(t, q.Reschedule(ctx, "a", now.Add(2*time.Minute), "http_status"))
	require.NoError(t, q.Reschedule(ctx, "c", now.Add(time.Minute), "http_status"))
	require.NoError(t, q.Reschedule(ctx, "b", now.Add(time.Minute), "http_status"))
	clock.Advance(3 * time.Minute)
	assert.Equal(t, []string{"d", "b", "c", "a"}, ids(lease(t, q, 10)), "by due time, then by seq")
}

func testVisibilityExpiry(t *testing.T, q dequeue.Queue, clock *fakeClock) {
	put(t, q, "a")
	require.Len(t, lease(t, q, 1), 1)
	clock.Advance(visibility - time.Second)
	assert.Empty(t, lease(t, q, 1), "still leased")
	assert.Equal(t, dequeue.Stats{InFlight: 1}, stats(t, q))
	clock.Advance(time.Second)
	assert.Equal(t, dequeue.Stats{Pending: 1, Due: 1}, stats(t, q))
	msgs := lease(t, q, 1)
	require.Equal(t, []string{"a"}, ids(msgs), "due again once the lease expired")
	assert.Equal(t, 2, msgs[0].Attempts)
}

func testRescheduleFuture(t *testing.T, q dequeue.Queue, clock *fakeClock) {
	ctx := context.Background()
	put(t, q, "a")
	lease(t, q, 1)
	at := clock.Now().Add(5 * time.Minute)
	require.NoError(t, q.Reschedule(ctx, "a", at, "connection_failed"))
	assert.Equal(t, dequeue.Stats{Pending: 1}, stats(t, q))

	clock.Advance(5*time.Minute - time.Nanosecond)
	assert.Empty(t, lease(t, q, 1), "not before it is due")
	clock.Advance(time.Nanosecond)
	msgs := lease(t, q, 1)
	require.Len(t, msgs, 1)
	assert.Equal(t, "connection_failed", msgs[0].LastReason)
	assert.Equal(t, 2, msgs[0].Attempts)
	assert.True(t, msgs[0].DueAt.Equal(at), "DueAt %s, want %s", msgs[0].DueAt, at)
}

func testInOrder(t *testing.T, q dequeue.Queue, clock *fakeClock) {
	ctx := context.Background()
	put(t, q, "a", "b", "c", "d")
	assert.Equal(t, []string{"a"}, ids(leaseInOrder(t, q)), "only the head")
	assert.Empty(t, leaseInOrder(t, q), "the leased head holds the line")

	require.NoError(t, q.Reschedule(ctx, "a", clock.Now().Add(time.Minute), "http_status"))
	assert.Empty(t, leaseInOrder(t, q), "a head waiting for its retry holds the line")
	clock.Advance(time.Minute)
	assert.Equal(t, []string{"a"}, ids(leaseInOrder(t, q)), "the head again, once due")

	require.NoError(t, q.Ack(ctx, "a"))
	assert.Equal(t, []string{"b"}, ids(leaseInOrder(t, q)), "an acked head releases the next")
	require.NoError(t, q.DeadLetter(ctx, "b", "http_status", "404 Not Found"))
	assert.Equal(t, []string{"c"}, ids(leaseInOrder(t, q)), "a dead head releases the next")

	clock.Advance(visibility)
	assert.Equal(t, []string{"c"}, ids(leaseInOrder(t, q)), "an expired lease frees the head, not the next")
}

func testDeadLetters(t *testing.T, q dequeue.Queue, clock *fakeClock) {
	ctx := context.Background()
	put(t, q, "a", "b", "c")
	lease(t, q, 3)
	require.NoError(t, q.DeadLetter(ctx, "b", "client_cert_rejected", "tls: certificate required"))
	firstDeath := clock.Now()
	clock.Advance(time.Second)
	require.NoError(t, q.DeadLetter(ctx, "a", "retries_exhausted", "503 Service Unavailable"))

	dead, err := q.Dead(ctx)
	require.NoError(t, err)
	require.Len(t, dead, 2)
	assert.Equal(t, "b", dead[0].ID, "oldest first")
	assert.Equal(t, "client_cert_rejected", dead[0].Reason)
	assert.Equal(t, "tls: certificate required", dead[0].Detail)
	assert.True(t, dead[0].DiedAt.Equal(firstDeath), "DiedAt %s, want %s", dead[0].DiedAt, firstDeath)
	assert.Equal(t, 1, dead[0].Attempts)
	assert.Equal(t, "payload of b", string(dead[0].Payload))
	assert.Equal(t, "a", dead[1].ID)
	assert.Equal(t, "retries_exhausted", dead[1].Reason)

	clock.Advance(2 * visibility)
	assert.Equal(t, []string{"c"}, ids(lease(t, q, 10)), "dead letters are not leased")
	assert.Equal(t, dequeue.Stats{InFlight: 1, Dead: 2}, stats(t, q))

	n, err := q.Requeue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	dead, err = q.Dead(ctx)
	require.NoError(t, err)
	assert.Empty(t, dead)
	msgs := lease(t, q, 10)
	assert.Equal(t, []string{"a", "b"}, ids(msgs), "requeued, due at once")
	for _, m := range msgs {
		assert.Equal(t, 1, m.Attempts, "attempts were reset")
	}
}

func testRequeueByID(t *testing.T, q dequeue.Queue, _ *fakeClock) {
	ctx := context.Background()
	put(t, q, "a", "b", "c", "live")
	lease(t, q, 3)
	for _, id := range []string{"a", "b", "c"} {
		require.NoError(t, q.DeadLetter(ctx, id, "http_status", "400 Bad Request"))
	}
	n, err := q.Requeue(ctx, "c", "a", "live", "unknown")
	require.NoError(t, err)
	assert.Equal(t, 2, n, "only dead letters move")
	dead, err := q.Dead(ctx)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, "b", dead[0].ID)
	assert.Equal(t, []string{"a", "c", "live"}, ids(lease(t, q, 10)))
}

func testStats(t *testing.T, q dequeue.Queue, clock *fakeClock) {
	ctx := context.Background()
	assert.Equal(t, dequeue.Stats{}, stats(t, q))
	put(t, q, "a", "b", "c", "d", "e")
	assert.Equal(t, dequeue.Stats{Pending: 5, Due: 5}, stats(t, q))
	lease(t, q, 3) // a, b, c
	require.NoError(t, q.Reschedule(ctx, "a", clock.Now().Add(time.Hour), "http_status"))
	require.NoError(t, q.DeadLetter(ctx, "b", "http_status", "404"))
	// a waits, b is dead, c is in flight, d and e are due.
	assert.Equal(t, dequeue.Stats{Pending: 3, Due: 2, InFlight: 1, Dead: 1}, stats(t, q))
}

func testNotFound(t *testing.T, q dequeue.Queue, clock *fakeClock) {
	ctx := context.Background()
	put(t, q, "dead")
	lease(t, q, 1)
	require.NoError(t, q.DeadLetter(ctx, "dead", "http_status", "410"))
	for _, id := range []string{"missing", "dead"} {
		tests := []struct {
			name    string
			call    func() error
			wantErr error
		}{
			{"ack", func() error { return q.Ack(ctx, id) }, dequeue.ErrNotFound},
			{"reschedule", func() error { return q.Reschedule(ctx, id, clock.Now(), "x") }, dequeue.ErrNotFound},
			{"dead-letter", func() error { return q.DeadLetter(ctx, id, "x", "y") }, dequeue.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name+" "+id, func(t *testing.T) {
				err := tt.call()
				require.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), id, "the error names the message")
			})
		}
	}
}

func testLeaseNeedsMax(t *testing.T, q dequeue.Queue, _ *fakeClock) {
	put(t, q, "a")
	_, err := q.Lease(context.Background(), dequeue.LeaseRequest{Visibility: visibility})
	require.Error(t, err)
	assert.Equal(t, dequeue.Stats{Pending: 1, Due: 1}, stats(t, q), "nothing leased")
}

func testClosed(t *testing.T, q dequeue.Queue, clock *fakeClock) {
	ctx := context.Background()
	require.NoError(t, q.Close())
	require.NoError(t, q.Close(), "closing twice is harmless")
	_, leaseErr := q.Lease(ctx, dequeue.LeaseRequest{Max: 1})
	_, deadErr := q.Dead(ctx)
	_, requeueErr := q.Requeue(ctx)
	_, statsErr := q.Stats(ctx)
	for name, err := range map[string]error{
		"put":         q.Put(ctx, dequeue.Message{}),
		"lease":       leaseErr,
		"ack":         q.Ack(ctx, "a"),
		"reschedule":  q.Reschedule(ctx, "a", clock.Now(), "x"),
		"dead-letter": q.DeadLetter(ctx, "a", "x", "y"),
		"dead":        deadErr,
		"requeue":     requeueErr,
		"stats":       statsErr,
	} {
		assert.ErrorIs(t, err, dequeue.ErrClosed, name)
	}
}

// testConcurrentLeases has many goroutines lease and ack until the queue is
// empty: each message must reach exactly one of them.
func testConcurrentLeases(t *testing.T, q dequeue.Queue, _ *fakeClock) {
	ctx := context.Background()
	const n, workers = 300, 8
	all := make([]string, n)
	for i := range all {
		all[i] = fmt.Sprintf("m%03d", i)
	}
	put(t, q, all...)

	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				msgs, err := q.Lease(ctx, dequeue.LeaseRequest{Max: 3, Visibility: time.Hour})
				if !assert.NoError(t, err) || len(msgs) == 0 {
					return
				}
				for _, m := range msgs {
					mu.Lock()
					seen[m.ID]++
					mu.Unlock()
					assert.NoError(t, q.Ack(ctx, m.ID))
				}
			}
		})
	}
	wg.Wait()
	got := make([]string, 0, len(seen))
	for id, count := range seen {
		assert.Equal(t, 1, count, "%s leased %d times", id, count)
		got = append(got, id)
	}
	sort.Strings(got)
	assert.Equal(t, all, got)
	assert.Equal(t, dequeue.Stats{}, stats(t, q))
}
