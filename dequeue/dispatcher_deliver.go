package dequeue

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// deliver sends m once and records the outcome in the queue: ack after a
// 2xx, reschedule after a failure that may pass, dead letter otherwise.
func (r *run) deliver(m Message) {
	r.s.hooks.attempt(m)
	res, err := r.client.Send(r.deliverCtx, destination.Message{ID: m.ID, Payload: m.Payload, Header: header(m.Headers)})
	switch {
	case err == nil:
		r.ack(m, res)
	case r.deliverCtx.Err() != nil && statusOf(err) == 0:
		// Cancelled by the drain, not failed: try again at once next time.
		r.reschedule(m, r.s.now(), ReasonInterrupted, res, err)
	case !retryable(err):
		reason := destination.ReasonOf(err)
		r.deadLetter(m, reason, detailOf(err), res, err)
	default:
		r.retry(m, res, err)
	}
}

// retry reschedules m on the schedule, or dead-letters it when the
// schedule is exhausted.
func (r *run) retry(m Message, res destination.Result, err error) {
	wait, ok := r.s.schedule.Wait(m.Attempts)
	if !ok {
		detail := fmt.Sprintf("%d attempts failed; the last: %s", m.Attempts, detailOf(err))
		r.deadLetter(m, ReasonRetriesExhausted, detail, res, err)
		return
	}
	now := r.s.now()
	if after, ok := retryAfter(res.Header, now); ok {
		wait = max(wait, after)
	}
	r.reschedule(m, now.Add(wait), destination.ReasonOf(err), res, err)
}

func (r *run) ack(m Message, res destination.Result) {
	if err := r.q.Ack(r.queueCtx, m.ID); err != nil && !r.queueError(m, err) {
		return
	}
	r.delivered.Add(1)
	r.s.logger.LogAttrs(r.queueCtx, slog.LevelDebug, "delivered",
		slog.String("id", m.ID), slog.Int("attempt", m.Attempts), slog.Int("status", res.Status))
	r.s.hooks.delivered(m, res)
}

func (r *run) reschedule(m Message, at time.Time, reason destination.Reason, res destination.Result, err error) {
	if qerr := r.q.Reschedule(r.queueCtx, m.ID, at, string(reason)); qerr != nil && !r.queueError(m, qerr) {
		return
	}
	r.rescheduled.Add(1)
	r.noteDue(at)
	level := slog.LevelWarn
	if reason == ReasonInterrupted {
		level = slog.LevelInfo
	}
	r.s.logger.LogAttrs(r.queueCtx, level, "rescheduled",
		slog.String("id", m.ID), slog.Int("attempt", m.Attempts), slog.Int("status", statusOf(err)),
		slog.String("reason", string(reason)), slog.Duration("wait", max(at.Sub(r.s.now()), 0)))
	r.s.hooks.rescheduled(m, at, reason)
}

func (r *run) deadLetter(m Message, reason destination.Reason, detail string, res destination.Result, err error) {
	if qerr := r.q.DeadLetter(r.queueCtx, m.ID, string(reason), detail); qerr != nil && !r.queueError(m, qerr) {
		return
	}
	r.dead.Add(1)
	r.s.logger.LogAttrs(r.queueCtx, slog.LevelError, "dead-lettered",
		slog.String("id", m.ID), slog.Int("attempt", m.Attempts), slog.Int("status", max(statusOf(err), res.Status)),
		slog.String("reason", string(reason)))
	r.s.hooks.dead(m, reason)
}

// queueError handles a failed Ack, Reschedule or DeadLetter, and reports
// whether to count the outcome anyway. A message the queue no longer has
// (ErrNotFound: requeued or removed meanwhile) is logged and counted; any
// other failure stops the run, since going on would deliver messages whose
// outcome cannot be recorded.
func (r *run) queueError(m Message, err error) bool {
	if errors.Is(err, ErrNotFound) {
		r.s.logger.LogAttrs(r.queueCtx, slog.LevelWarn, "the queue no longer has the message",
			slog.String("id", m.ID), slog.Int("attempt", m.Attempts))
		return true
	}
	r.fail(err)
	return false
}

// header turns a queued message's headers into request headers.
func header(h map[string]string) http.Header {
	if len(h) == 0 {
		return nil
	}
	out := make(http.Header, len(h))
	for k, v := range h {
		out.Set(k, v)
	}
	return out
}
