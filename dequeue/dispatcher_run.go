package dequeue

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// run is the state of one Run or RunOnce.
type run struct {
	*Dispatcher
	once bool // RunOnce: stop when nothing due is left

	// deliveries are cancelled only when the drain times out, not when the
	// caller's context ends, so that in-flight sends may finish.
	deliverCtx     context.Context
	stopDeliveries context.CancelFunc
	// queueCtx never ends: an outcome must reach the queue even while
	// draining, or a delivered message would stay leased.
	queueCtx context.Context

	slots    chan struct{} // a send takes a worker slot
	wg       sync.WaitGroup
	inflight atomic.Int64
	finished atomic.Int64  // deliveries ended so far
	ended    chan struct{} // a value after a delivery ends (buffered 1)
	wake     chan struct{} // a value after a reschedule (buffered 1)

	mu      sync.Mutex
	nextDue time.Time     // earliest due time this run rescheduled to; zero when none
	err     error         // the first queue failure
	failed  chan struct{} // closed on the first queue failure: stop leasing

	delivered, rescheduled, dead atomic.Int64
}

func (d *Dispatcher) newRun(ctx context.Context, once bool) *run {
	base := context.WithoutCancel(ctx)
	deliverCtx, stop := context.WithCancel(base)
	return &run{
		Dispatcher:     d,
		once:           once,
		deliverCtx:     deliverCtx,
		stopDeliveries: stop,
		queueCtx:       base,
		slots:          make(chan struct{}, d.s.workers),
		ended:          make(chan struct{}, 1),
		wake:           make(chan struct{}, 1),
		failed:         make(chan struct{}),
	}
}

// loop leases and starts deliveries until ctx ends, the queue fails, or
// (RunOnce) nothing due is left.
func (r *run) loop(ctx context.Context) {
	for ctx.Err() == nil && !r.hasFailed() {
		gen := r.finished.Load()
		full, err := r.leaseAndStart(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.fail(err)
			}
			return
		}
		switch {
		case full:
			// There may be more due: lease again when a worker is free.
		case r.once:
			if r.inflight.Load() == 0 && r.finished.Load() == gen {
				return // nothing due, nothing in flight that could make some due
			}
			r.waitFor(ctx, r.ended, nil)
		default:
			r.idle(ctx)
		}
	}
}

// leaseAndStart waits for a free worker, leases as many messages as there
// are free workers and starts delivering them. full reports that it got
// all it asked for.
func (r *run) leaseAndStart(ctx context.Context) (full bool, err error) {
	free := r.acquire(ctx)
	if free == 0 {
		return false, nil
	}
	msgs, err := r.q.Lease(ctx, LeaseRequest{Max: free, Visibility: r.s.visibility, InOrder: r.s.strict})
	for range free - len(msgs) {
		<-r.slots
	}
	for _, m := range msgs {
		r.start(m)
	}
	return err == nil && len(msgs) == free, err
}

// acquire takes one free worker slot, waiting for it, then every other
// free one; it returns how many it took, 0 when ctx ended or the queue
// failed.
func (r *run) acquire(ctx context.Context) int {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return 0
	case <-r.failed:
		return 0
	}
	n := 1
	for n < cap(r.slots) {
		select {
		case r.slots <- struct{}{}:
			n++
		default:
			return n
		}
	}
	return n
}

// start delivers m on its own goroutine, in a slot already taken.
func (r *run) start(m Message) {
	r.inflight.Add(1)
	r.wg.Add(1)
	go func() {
		defer r.done()
		r.deliver(m)
	}()
}

func (r *run) done() {
	<-r.slots
	r.inflight.Add(-1)
	r.finished.Add(1)
	notify(r.ended)
	r.wg.Done()
}

// notify sends on a buffered-1 channel without blocking: one pending
// signal is as good as many.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// idle waits for the poll interval, or less when a message this run
// rescheduled comes due sooner.
func (r *run) idle(ctx context.Context) {
	wait := r.s.poll
	if at := r.takeNextDue(); !at.IsZero() {
		wait = min(wait, max(at.Sub(r.s.now()), 0))
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	r.waitFor(ctx, r.wake, timer.C)
}

// waitFor blocks until ch or tick fires, ctx ends or the queue fails.
func (r *run) waitFor(ctx context.Context, ch chan struct{}, tick <-chan time.Time) {
	select {
	case <-ch:
	case <-tick:
	case <-ctx.Done():
	case <-r.failed:
	}
}

// noteDue records that a message was rescheduled to at, and wakes an idle
// loop so it can shorten its wait.
func (r *run) noteDue(at time.Time) {
	r.mu.Lock()
	if r.nextDue.IsZero() || at.Before(r.nextDue) {
		r.nextDue = at
	}
	r.mu.Unlock()
	notify(r.wake)
}

// takeNextDue returns the earliest due time noted, forgetting it once it
// has passed (the lease that follows picks the message up).
func (r *run) takeNextDue() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	at := r.nextDue
	if !at.IsZero() && !at.After(r.s.now()) {
		r.nextDue = time.Time{}
	}
	return at
}

// fail records the first queue failure and stops leasing.
func (r *run) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
		close(r.failed)
	}
}

func (r *run) hasFailed() bool {
	select {
	case <-r.failed:
		return true
	default:
		return false
	}
}

// finish drains: in-flight deliveries get the drain timeout to end, then
// are cancelled (and so returned to the queue). It returns the first
// queue failure.
func (r *run) finish() error {
	timer := time.AfterFunc(r.s.drain, r.stopDeliveries)
	r.wg.Wait()
	timer.Stop()
	r.stopDeliveries()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *run) summary() Summary {
	return Summary{
		Delivered:   int(r.delivered.Load()),
		Rescheduled: int(r.rescheduled.Load()),
		Dead:        int(r.dead.Load()),
	}
}
