// Package dequeue delivers queued outbound messages to an HTTP destination,
// at least once, as the destination allows: the platform side of a
// courier destination.
//
// # Queues
//
// A Queue stores messages and hands them out under a lease. NewMemory
// keeps them in memory, for tests; Open keeps them in one SQLite file that
// survives kill -9 and power loss, and that other processes may put into
// while a dispatcher runs on it:
//
//	q, err := dequeue.Open("outbox.db")
//	err = q.Put(ctx, dequeue.Message{ID: "order-42", Payload: order})
//	recovered, err := q.LockForDispatch() // ErrLocked: another dispatcher has the file
//
// One dispatcher at a time per file: NewDispatcher takes that lock itself
// (call LockForDispatch first to learn how many in-flight messages of a
// dead predecessor it made due again).
//
// # Dispatching
//
// A Dispatcher leases due messages, sends each with a destination.Client
// and records the outcome. It acknowledges a message only after the
// destination answered 2xx; a crash in between means the message is sent
// again with the same ID, which the destination sends as Idempotency-Key.
//
//	client, err := destination.New(cfg)
//	d, err := dequeue.NewDispatcher(q, client, dequeue.WithWorkers(8))
//	err = d.Run(ctx) // until ctx ends; then in-flight deliveries finish or go back to the queue
//	sum, err := d.RunOnce(ctx) // or: deliver what is due now, then return
//
// # Retries and dead letters
//
// A failure that may pass — the connection failed or timed out, or the
// partner answered 408, 429 or 5xx (but 501) — is rescheduled on a
// Schedule of waits measured in minutes to hours, honouring the partner's
// Retry-After when it asks for longer (DefaultSchedule: at once, 5s, 5m,
// 30m, 2h, 5h, 10h, 10h, each ±10%). These retries come on top of the
// client's fast in-request ones. A failure that will not pass by itself —
// client_cert_rejected, server_untrusted, hostname_mismatch, any other
// 4xx — goes to the dead letters at once with its reason, and so does a
// message whose schedule is exhausted (reason retries_exhausted). Queue.Dead
// lists them and Queue.Requeue gives them another go once the cause is
// fixed.
//
//	d, err := dequeue.NewDispatcher(q, client, dequeue.WithSchedule(dequeue.Schedule{time.Minute, time.Hour}))
//	dead, err := q.Dead(ctx)        // Reason, Detail, DiedAt
//	n, err := q.Requeue(ctx)        // all of them
//
// # Order
//
// Workers lease independently, so a failing message never holds back the
// others. Partners that need messages in order get WithStrictOrder: one
// message in flight, in the order they were put, and a message waiting for
// a retry holds the line.
//
// # Observing
//
// WithLogger logs each outcome with the keys id, attempt, status, reason
// and wait, never a payload or a secret; WithHooks calls functions on each
// attempt, delivery, reschedule and dead letter, for metrics or progress.
package dequeue
