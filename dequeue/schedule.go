package dequeue

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Schedule is a retry schedule: Schedule[k] is the wait before retry k+1,
// counted from the failure of attempt k+1. A message whose attempts
// outnumber the schedule goes to the dead letters with reason
// retries_exhausted. An empty Schedule retries nothing.
//
// These retries are separate from, and much slower than, the destination
// client's fast in-request retries: by the time a message is rescheduled
// the client has already tried it a few times within seconds.
type Schedule []time.Duration

// DefaultSchedule retries at once, then after 5 seconds, 5 minutes, 30
// minutes, 2, 5, 10 and 10 hours, as established webhook senders do: a
// message rides out a partner's day-long outage before it is dead-lettered.
var DefaultSchedule = Schedule{
	0,
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	10 * time.Hour,
}

// jitter is the fraction by which a wait is spread either way, so that
// messages that failed together do not all retry in the same instant.
const jitter = 0.1

// Wait returns how long to wait after failed attempt number attempts
// (1 for the first) before the next, with ±10% jitter; ok is false when
// the schedule is exhausted.
func (s Schedule) Wait(attempts int) (wait time.Duration, ok bool) {
	k := max(attempts, 1) - 1
	if k >= len(s) {
		return 0, false
	}
	return spread(s[k]), true
}

// spread returns d moved by up to ±10%, never negative.
func spread(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	f := 1 - jitter + 2*jitter*rand.Float64()
	return time.Duration(float64(d) * f)
}

// validate refuses negative waits.
func (s Schedule) validate() error {
	for k, d := range s {
		if d < 0 {
			return fmt.Errorf("dequeue: schedule entry %d is %s: waits must be 0 or more", k, d)
		}
	}
	return nil
}
