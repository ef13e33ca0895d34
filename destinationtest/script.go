package destinationtest

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// outcome is one scripted failure: a response with status, or (Transport
// only) an error instead of a response: err as it is, or reason's.
type outcome struct {
	status     int
	retryAfter string
	err        error
	reason     destination.Reason
}

// script is the queue of failures and the delay that FailNext and Delay set.
type script struct {
	mu    sync.Mutex
	queue []outcome
	delay time.Duration
}

// push queues n copies of o after those already queued.
func (s *script) push(n int, o outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.queue = append(s.queue, o)
	}
}

// next takes the next scripted failure, if any.
func (s *script) next() (outcome, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return outcome{}, false
	}
	o := s.queue[0]
	s.queue = s.queue[1:]
	return o, true
}

func (s *script) setDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

func (s *script) getDelay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delay
}

// statusOutcome validates a scripted status as http.ResponseWriter would.
// A bad status is a bug in the test, so it panics like WriteHeader does.
func statusOutcome(status int, retryAfter string) outcome {
	if status < 100 || status > 999 {
		panic(fmt.Sprintf("destinationtest: invalid HTTP status %d: use a code from 100 to 999", status))
	}
	return outcome{status: status, retryAfter: retryAfter}
}

// writeStatus writes a scripted failure response, with the status text as
// body as real servers tend to.
func writeStatus(w http.ResponseWriter, o outcome) {
	if o.retryAfter != "" {
		w.Header().Set("Retry-After", o.retryAfter)
	}
	http.Error(w, http.StatusText(o.status), o.status)
}
