package dequeue

import (
	"time"

	"github.com/mtlscourier/courier/destination"
)

// Hooks observe a Dispatcher: metrics, tracing, progress counters. Every
// field is optional. Hooks run on the worker goroutines, concurrently: they
// must be safe for concurrent use and quick, since a delivery waits for its
// hook to return. A hook must not change the Message it is given.
type Hooks struct {
	// OnAttempt runs before each delivery attempt; m.Attempts counts it.
	OnAttempt func(m Message)
	// OnDelivered runs after the destination answered 2xx and the message
	// was acknowledged.
	OnDelivered func(m Message, res destination.Result)
	// OnRescheduled runs after a failed delivery was put back in the queue,
	// due at `at`; reason is the failure's, or ReasonInterrupted when the
	// dispatcher stopped before the delivery ended.
	OnRescheduled func(m Message, at time.Time, reason destination.Reason)
	// OnDead runs after a message went to the dead letters: reason is the
	// deterministic failure's, or ReasonRetriesExhausted.
	OnDead func(m Message, reason destination.Reason)
}

func (h Hooks) attempt(m Message) {
	if h.OnAttempt != nil {
		h.OnAttempt(m)
	}
}

func (h Hooks) delivered(m Message, res destination.Result) {
	if h.OnDelivered != nil {
		h.OnDelivered(m, res)
	}
}

func (h Hooks) rescheduled(m Message, at time.Time, reason destination.Reason) {
	if h.OnRescheduled != nil {
		h.OnRescheduled(m, at, reason)
	}
}

func (h Hooks) dead(m Message, reason destination.Reason) {
	if h.OnDead != nil {
		h.OnDead(m, reason)
	}
}
