package dequeue

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// Reasons a Dispatcher adds to the destination's vocabulary.
const (
	// ReasonInterrupted: the dispatcher stopped while the delivery was in
	// flight; the message was returned to the queue, due at once.
	ReasonInterrupted destination.Reason = "interrupted"
	// ReasonRetriesExhausted: every retry of the schedule failed; the
	// dead letter's Detail holds the last failure.
	ReasonRetriesExhausted destination.Reason = "retries_exhausted"
)

// Dispatcher delivers a queue's messages to one destination, at least
// once: a message is acknowledged only after the destination answered 2xx,
// so a crash between delivery and acknowledgement means a redelivery with
// the same ID (which the destination's Idempotency-Key lets the partner
// drop). Failures that may pass are rescheduled on the Schedule; failures
// that will not (a refused certificate, a 4xx) go to the dead letters at
// once. Workers lease independently, so a failing message never holds back
// the others, unless WithStrictOrder.
//
// One Dispatcher runs at a time per queue; a Dispatcher runs one Run or
// RunOnce at a time.
type Dispatcher struct {
	q       Queue
	client  *destination.Client
	s       settings
	running atomic.Bool
}

// Summary counts what a run did.
type Summary struct {
	Delivered   int // acknowledged after a 2xx
	Rescheduled int // returned to the queue for a later retry (interruptions included)
	Dead        int // moved to the dead letters
}

// ErrRunning is returned by Run and RunOnce when the Dispatcher is already
// running.
var ErrRunning = errors.New("dequeue: the dispatcher is already running: a Dispatcher runs one Run or RunOnce at a time")

// NewDispatcher returns a Dispatcher delivering q's messages with client.
// It fails with an error matching ErrInvalidOption when an option is
// invalid, when options contradict each other, or when the visibility
// timeout does not cover the client's worst-case delivery time. For a queue
// that allows one dispatcher at a time (the SQLite queue) it takes the lock
// with LockForDispatch, so a second dispatcher on the same file fails with
// an error matching ErrLocked.
func NewDispatcher(q Queue, client *destination.Client, opts ...Option) (*Dispatcher, error) {
	if q == nil || client == nil {
		return nil, errors.New("dequeue: NewDispatcher needs a Queue and a *destination.Client")
	}
	s := defaultSettings()
	for _, o := range opts {
		if o == nil {
			return nil, &optionError{errors.New("nil Option")}
		}
		if err := o.apply(&s); err != nil {
			return nil, &optionError{err}
		}
	}
	if err := s.check(); err != nil {
		return nil, &optionError{err}
	}
	worst := worstDelivery(client.Config())
	if !s.visSet {
		s.visibility = max(s.visibility, worst+time.Minute)
	}
	if err := checkVisibility(s.visibility, worst, client.Config()); err != nil {
		return nil, err
	}
	if l, ok := q.(dispatchLocker); ok {
		// One dispatcher per queue file: a second one would take over the
		// first one's in-flight messages and deliver them again.
		recovered, err := l.LockForDispatch()
		if err != nil {
			return nil, err
		}
		if recovered > 0 {
			s.logger.Info("recovered the in-flight messages of a dispatcher that died", "recovered", recovered)
		}
	}
	return &Dispatcher{q: q, client: client, s: s}, nil
}

// dispatchLocker is a queue that allows one dispatcher at a time (the SQLite
// queue); NewDispatcher takes its lock.
type dispatchLocker interface {
	LockForDispatch() (recovered int, err error)
}

// worstDelivery is the longest a Send can take: every attempt timing out,
// with the longest wait between attempts.
func worstDelivery(cfg destination.Config) time.Duration {
	attempts := max(cfg.Retry.MaxAttempts, 1)
	return time.Duration(attempts)*cfg.Timeout + time.Duration(attempts-1)*cfg.Retry.WaitMax
}

// checkVisibility refuses a lease shorter than the longest a Send can take:
// the lease would run out mid-delivery and the message be sent twice.
func checkVisibility(visibility, worst time.Duration, cfg destination.Config) error {
	if visibility > worst {
		return nil
	}
	return &optionError{fmt.Errorf("visibility %s does not cover the client's worst-case delivery time of %s "+
		"(%d attempts of up to %s, waits of up to %s): raise WithVisibility, or lower the destination's timeout or retry",
		visibility, worst, max(cfg.Retry.MaxAttempts, 1), cfg.Timeout, cfg.Retry.WaitMax)}
}

// Run delivers due messages until ctx ends, then drains: deliveries in
// flight finish, or after the drain timeout are cancelled and returned to
// the queue due at once; nothing is left leased. It returns nil after a
// drain that ctx started, and an error when the queue failed (after
// draining too).
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer d.running.Store(false)
	r := d.newRun(ctx, false)
	r.loop(ctx)
	return r.finish()
}

// RunOnce delivers what is due now, retries included that the schedule
// makes due at once, and returns when nothing due is left and nothing is
// in flight. If ctx ends first it drains as Run does and returns ctx's
// error with the Summary so far.
func (d *Dispatcher) RunOnce(ctx context.Context) (Summary, error) {
	if !d.running.CompareAndSwap(false, true) {
		return Summary{}, ErrRunning
	}
	defer d.running.Store(false)
	r := d.newRun(ctx, true)
	r.loop(ctx)
	err := r.finish()
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("dequeue: stopped before every due message was delivered: %w", context.Cause(ctx))
	}
	return r.summary(), err
}
