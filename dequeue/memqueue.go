package dequeue

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// Memory is a Queue held in memory: fast, safe for concurrent use, and gone
// when the process ends. It is meant for tests and benchmarks; use Open for a
// queue that survives a crash.
type Memory struct {
	now func() time.Time

	mu     sync.Mutex
	closed bool
	seq    int64
	byID   map[string]*memEntry
	ready  entryHeap // pending, not leased: by DueAt, then Seq
	leased entryHeap // pending, leased: by lease end
	order  entryHeap // every pending message: by Seq (for InOrder)
}

// memEntry is one message and its place in the queue.
type memEntry struct {
	msg        Message
	leaseUntil time.Time // zero when not leased
	dead       *DeadLetter

	// Positions in the heaps, -1 when absent.
	readyAt, leasedAt, orderAt int
}

// MemoryOption configures NewMemory.
type MemoryOption func(*Memory)

// WithMemoryClock makes the queue read the time from now instead of
// time.Now, so that tests can move time (lease expiry, due times) without
// sleeping.
func WithMemoryClock(now func() time.Time) MemoryOption {
	return func(m *Memory) {
		if now != nil {
			m.now = now
		}
	}
}

// NewMemory returns an empty in-memory queue.
//
// It behaves as the Queue interface says, like the durable queue Open
// returns: Put is all or none (a duplicate ID, within the batch or already
// queued, stores nothing and is ErrDuplicate) and generates a UUID v4 for a
// message without an ID; it keeps its own copies of payloads and headers.
// Lease returns due messages that are not leased (or whose lease has
// expired) ordered by DueAt then Seq, and counts an attempt for each; with
// InOrder it returns at most the oldest pending message, and only when it is
// due and not leased. Ack, Reschedule and DeadLetter act on any pending
// message, leased or not; a dead or unknown ID is ErrNotFound. Requeue
// ignores IDs that are not dead letters. After Close every method returns
// ErrClosed.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{now: time.Now, byID: make(map[string]*memEntry)}
	m.ready = entryHeap{less: byDue, pos: func(e *memEntry) *int { return &e.readyAt }}
	m.leased = entryHeap{less: byLeaseEnd, pos: func(e *memEntry) *int { return &e.leasedAt }}
	m.order = entryHeap{less: bySeq, pos: func(e *memEntry) *int { return &e.orderAt }}
	for _, opt := range opts {
		opt(m)
	}
	return m
}

// Put stores msgs, all or none.
func (m *Memory) Put(ctx context.Context, msgs ...Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("dequeue: put: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	ids := make([]string, len(msgs))
	seen := make(map[string]bool, len(msgs))
	for i, msg := range msgs {
		ids[i] = msg.ID
		if ids[i] == "" {
			ids[i] = destination.NewID()
		}
		if _, ok := m.byID[ids[i]]; ok || seen[ids[i]] {
			return opErr(fmt.Sprintf("put %q", ids[i]), ErrDuplicate)
		}
		seen[ids[i]] = true
	}
	now := m.now()
	for i, msg := range msgs {
		m.seq++
		e := &memEntry{
			msg: Message{
				ID:         ids[i],
				Payload:    slices.Clone(msg.Payload),
				Headers:    maps.Clone(msg.Headers),
				Seq:        m.seq,
				EnqueuedAt: now,
				DueAt:      now,
			},
			readyAt: -1, leasedAt: -1, orderAt: -1,
		}
		m.byID[e.msg.ID] = e
		heap.Push(&m.ready, e)
		heap.Push(&m.order, e)
	}
	return nil
}

// Lease returns due messages and makes them invisible for req.Visibility.
func (m *Memory) Lease(ctx context.Context, req LeaseRequest) ([]Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dequeue: lease: %w", err)
	}
	if req.Max < 1 {
		return nil, opErr("lease", errNoMax)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	now := m.now()
	m.expireLeases(now)
	if req.InOrder {
		return m.leaseHead(now, req.Visibility), nil
	}
	var out []Message
	for len(out) < req.Max && m.ready.Len() > 0 && !m.ready.items[0].msg.DueAt.After(now) {
		e := m.ready.items[0]
		m.lease(e, now, req.Visibility)
		out = append(out, e.copyMessage())
	}
	return out, nil
}

// leaseHead leases the oldest pending message if it is due and free.
func (m *Memory) leaseHead(now time.Time, visibility time.Duration) []Message {
	if m.order.Len() == 0 {
		return nil
	}
	e := m.order.items[0]
	if e.readyAt < 0 || e.msg.DueAt.After(now) {
		return nil // leased, or waiting for its retry: it holds the line
	}
	m.lease(e, now, visibility)
	return []Message{e.copyMessage()}
}

// expireLeases makes messages whose lease has run out leasable again.
func (m *Memory) expireLeases(now time.Time) {
	for m.leased.Len() > 0 && !m.leased.items[0].leaseUntil.After(now) {
		e := heap.Pop(&m.leased).(*memEntry)
		e.leaseUntil = time.Time{}
		heap.Push(&m.ready, e)
	}
}

func (m *Memory) lease(e *memEntry, now time.Time, visibility time.Duration) {
	heap.Remove(&m.ready, e.readyAt)
	e.leaseUntil = now.Add(visibility)
	e.msg.Attempts++
	heap.Push(&m.leased, e)
}

// Ack removes a delivered message.
func (m *Memory) Ack(ctx context.Context, id string) error {
	return m.withPending(ctx, "ack", id, func(e *memEntry) {
		m.unqueue(e)
		heap.Remove(&m.order, e.orderAt)
		delete(m.byID, id)
	})
}

// Reschedule returns a message to the queue, due at `at`.
func (m *Memory) Reschedule(ctx context.Context, id string, at time.Time, reason string) error {
	return m.withPending(ctx, "reschedule", id, func(e *memEntry) {
		m.unqueue(e)
		e.msg.DueAt = at
		e.msg.LastReason = reason
		heap.Push(&m.ready, e)
	})
}

// DeadLetter moves a message to the dead-letter set.
func (m *Memory) DeadLetter(ctx context.Context, id string, reason, detail string) error {
	return m.withPending(ctx, "dead-letter", id, func(e *memEntry) {
		m.unqueue(e)
		heap.Remove(&m.order, e.orderAt)
		e.dead = &DeadLetter{Reason: reason, Detail: detail, DiedAt: m.now()}
	})
}

// withPending runs fn on the pending message id under the lock.
func (m *Memory) withPending(ctx context.Context, op, id string, fn func(*memEntry)) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("dequeue: %s %q: %w", op, id, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	e, ok := m.byID[id]
	if !ok || e.dead != nil {
		return opErr(fmt.Sprintf("%s %q", op, id), ErrNotFound)
	}
	fn(e)
	return nil
}

// unqueue takes a pending message out of the ready or leased heap.
func (m *Memory) unqueue(e *memEntry) {
	if e.leasedAt >= 0 {
		heap.Remove(&m.leased, e.leasedAt)
		e.leaseUntil = time.Time{}
		return
	}
	heap.Remove(&m.ready, e.readyAt)
}

// Dead lists the dead letters, oldest first.
func (m *Memory) Dead(ctx context.Context) ([]DeadLetter, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dequeue: dead: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	var out []DeadLetter
	for _, e := range m.byID {
		if e.dead != nil {
			d := *e.dead
			d.Message = e.copyMessage()
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b DeadLetter) int {
		if c := a.DiedAt.Compare(b.DiedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	return out, nil
}

// Requeue moves dead letters back to the queue, due now; no ids means all.
func (m *Memory) Requeue(ctx context.Context, ids ...string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("dequeue: requeue: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	if len(ids) == 0 {
		ids = slices.Collect(maps.Keys(m.byID))
	}
	now := m.now()
	n := 0
	for _, id := range ids {
		e, ok := m.byID[id]
		if !ok || e.dead == nil {
			continue
		}
		e.dead = nil
		e.msg.DueAt = now
		e.msg.Attempts = 0
		heap.Push(&m.ready, e)
		heap.Push(&m.order, e)
		n++
	}
	return n, nil
}

// Stats counts messages by state.
func (m *Memory) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, fmt.Errorf("dequeue: stats: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return Stats{}, ErrClosed
	}
	now := m.now()
	var s Stats
	for _, e := range m.byID {
		switch {
		case e.dead != nil:
			s.Dead++
		case e.leasedAt >= 0 && e.leaseUntil.After(now):
			s.InFlight++
		default:
			s.Pending++
			if !e.msg.DueAt.After(now) {
				s.Due++
			}
		}
	}
	return s, nil
}

// Close drops every message; later calls return ErrClosed.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.byID = nil
	m.ready.items, m.leased.items, m.order.items = nil, nil, nil
	return nil
}

// copyMessage returns the message with its own payload and headers, so that
// callers cannot change what is queued.
func (e *memEntry) copyMessage() Message {
	msg := e.msg
	msg.Payload = nil // empty payloads read as nil, as from the durable queue
	if len(e.msg.Payload) > 0 {
		msg.Payload = slices.Clone(e.msg.Payload)
	}
	msg.Headers = maps.Clone(msg.Headers)
	return msg
}

func byDue(a, b *memEntry) bool {
	if !a.msg.DueAt.Equal(b.msg.DueAt) {
		return a.msg.DueAt.Before(b.msg.DueAt)
	}
	return a.msg.Seq < b.msg.Seq
}

func byLeaseEnd(a, b *memEntry) bool { return a.leaseUntil.Before(b.leaseUntil) }

func bySeq(a, b *memEntry) bool { return a.msg.Seq < b.msg.Seq }

// entryHeap is a container/heap of entries that records each entry's
// position, so that an entry can be removed from the middle.
type entryHeap struct {
	items []*memEntry
	less  func(a, b *memEntry) bool
	pos   func(*memEntry) *int
}

func (h *entryHeap) Len() int           { return len(h.items) }
func (h *entryHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }

func (h *entryHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	*h.pos(h.items[i]) = i
	*h.pos(h.items[j]) = j
}

func (h *entryHeap) Push(x any) {
	e := x.(*memEntry)
	*h.pos(e) = len(h.items)
	h.items = append(h.items, e)
}

func (h *entryHeap) Pop() any {
	e := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	*h.pos(e) = -1
	return e
}
