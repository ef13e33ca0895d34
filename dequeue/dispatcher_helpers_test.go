package dequeue_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// manualClock is a time source a test moves by hand, shared by a queue and a
// dispatcher so that retries come due without sleeping.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func newManualClock() *manualClock { return &manualClock{now: time.Now()} }

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// events records what a dispatcher's hooks saw.
type events struct {
	mu          sync.Mutex
	attempts    []string
	delivered   []string
	rescheduled []rescheduled
	dead        map[string]destination.Reason
}

type rescheduled struct {
	id     string
	at     time.Time
	reason destination.Reason
}

func newEvents() *events { return &events{dead: map[string]destination.Reason{}} }

func (e *events) hooks() dequeue.Hooks {
	return dequeue.Hooks{
		OnAttempt: func(m dequeue.Message) { e.add(func() { e.attempts = append(e.attempts, m.ID) }) },
		OnDelivered: func(m dequeue.Message, _ destination.Result) {
			e.add(func() { e.delivered = append(e.delivered, m.ID) })
		},
		OnRescheduled: func(m dequeue.Message, at time.Time, reason destination.Reason) {
			e.add(func() { e.rescheduled = append(e.rescheduled, rescheduled{m.ID, at, reason}) })
		},
		OnDead: func(m dequeue.Message, reason destination.Reason) { e.add(func() { e.dead[m.ID] = reason }) },
	}
}

func (e *events) add(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f()
}

func (e *events) snapshot() events {
	e.mu.Lock()
	defer e.mu.Unlock()
	dead := make(map[string]destination.Reason, len(e.dead))
	for k, v := range e.dead {
		dead[k] = v
	}
	return events{
		attempts:    append([]string(nil), e.attempts...),
		delivered:   append([]string(nil), e.delivered...),
		rescheduled: append([]rescheduled(nil), e.rescheduled...),
		dead:        dead,
	}
}

// serverClient returns a client for srv that makes one attempt per Send,
// so each failure reaches the dispatcher.
func serverClient(t testing.TB, srv *destinationtest.Server, edit func(*destination.Config)) *destination.Client {
	t.Helper()
	cfg := srv.Destination(t)
	cfg.Retry = destination.Retry{MaxAttempts: 1}
	if edit != nil {
		edit(cfg)
	}
	client, err := destination.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// transportClient returns a one-attempt client sending through tr.
func transportClient(t testing.TB, tr *destinationtest.Transport, edit func(*destination.Config)) *destination.Client {
	t.Helper()
	cfg := &destination.Config{URL: "https://partner.example.com/in", Retry: destination.Retry{MaxAttempts: 1}}
	if edit != nil {
		edit(cfg)
	}
	client, err := destination.New(cfg, destination.WithTransport(tr))
	require.NoError(t, err)
	return client
}

// putMessages puts n messages with IDs prefix-0000.. and small payloads,
// and returns the IDs in order.
func putMessages(t testing.TB, q dequeue.Queue, prefix string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	msgs := make([]dequeue.Message, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%s-%04d", prefix, i)
		msgs[i] = dequeue.Message{ID: ids[i], Payload: []byte("payload of " + ids[i])}
	}
	require.NoError(t, q.Put(context.Background(), msgs...))
	return ids
}

// newDispatcher builds a dispatcher or ends the test.
func newDispatcher(t testing.TB, q dequeue.Queue, client *destination.Client, opts ...dequeue.Option) *dequeue.Dispatcher {
	t.Helper()
	d, err := dequeue.NewDispatcher(q, client, opts...)
	require.NoError(t, err)
	return d
}

// queueStats reads the queue's counts or ends the test.
func queueStats(t testing.TB, q dequeue.Queue) dequeue.Stats {
	t.Helper()
	s, err := q.Stats(context.Background())
	require.NoError(t, err)
	return s
}

// idsOf returns the Idempotency-Key of each request, in order.
func idsOf(reqs []destinationtest.Request) []string {
	ids := make([]string, len(reqs))
	for i, r := range reqs {
		ids[i] = r.Header.Get("Idempotency-Key")
	}
	return ids
}

// deadlineCtx is a context that ends with the test, and after a minute at
// most, so a hang fails instead of blocking.
func deadlineCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}
