package dequeue

import (
	"context"
	"errors"
	"time"
)

// Message is one queued outbound message.
type Message struct {
	ID      string            // unique in the queue; Put generates one when empty
	Payload []byte            // delivered as the destination describes
	Headers map[string]string // extra request headers for this message

	// Set by the queue:
	Seq        int64     // insertion order; strict FIFO follows it
	EnqueuedAt time.Time // when Put stored it
	DueAt      time.Time // when it may next be leased
	Attempts   int       // deliveries tried so far (reschedules + the one in flight)
	LastReason string    // reason of the last failed delivery ("" if none)
}

// DeadLetter is a message that will not be delivered without help.
type DeadLetter struct {
	Message
	Reason string    // the failure reason (client_cert_rejected, http_status, retries_exhausted, ...)
	Detail string    // the error text, without payload or secrets
	DiedAt time.Time // when it was dead-lettered
}

// LeaseRequest says what to lease.
type LeaseRequest struct {
	Max        int           // at most this many messages (>= 1)
	Visibility time.Duration // they stay invisible to other leases this long
	// InOrder leases only the oldest pending message (lowest Seq), and only
	// when it is due: strict FIFO, where a message waiting for a retry
	// holds back every message behind it.
	InOrder bool
}

// Stats counts the queue's messages by state.
type Stats struct {
	Pending  int // waiting, due or not
	Due      int // pending and due now
	InFlight int // leased, not yet acked, rescheduled or dead-lettered
	Dead     int // in the dead-letter set
}

// Queue is what a Dispatcher needs from a store. Implementations must be safe
// for concurrent use. Every method that changes state is atomic.
type Queue interface {
	// Put stores msgs in one transaction: all or none. When it returns nil
	// the messages are durable (for a durable queue: fsynced).
	Put(ctx context.Context, msgs ...Message) error
	// Lease returns due messages, oldest first, and makes them invisible to
	// other leases until the visibility timeout; an expired lease makes the
	// message due again.
	Lease(ctx context.Context, req LeaseRequest) ([]Message, error)
	// Ack removes a delivered message. Acking an unknown ID is ErrNotFound.
	Ack(ctx context.Context, id string) error
	// Reschedule returns a leased message to the queue, due at `at`, and
	// records reason as its LastReason.
	Reschedule(ctx context.Context, id string, at time.Time, reason string) error
	// DeadLetter moves a message to the dead-letter set with its reason.
	DeadLetter(ctx context.Context, id string, reason, detail string) error
	// Dead lists the dead letters, oldest first.
	Dead(ctx context.Context) ([]DeadLetter, error)
	// Requeue moves dead letters back to the queue, due now, with their
	// attempts reset; no ids means all. It returns how many moved.
	Requeue(ctx context.Context, ids ...string) (int, error)
	// Stats counts messages by state.
	Stats(ctx context.Context) (Stats, error)
	// Close releases the queue.
	Close() error
}

// Errors callers branch on.
var (
	ErrNotFound  = errors.New("dequeue: no such message")
	ErrDuplicate = errors.New("dequeue: a message with this ID is already queued")
	ErrLocked    = errors.New("dequeue: another dispatcher holds this queue file")
	ErrClosed    = errors.New("dequeue: queue closed")
)
