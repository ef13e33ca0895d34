package dequeue_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

func TestNewDispatcherChecksOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []dequeue.Option
		wantErr error
	}{
		{name: "defaults"},
		{name: "strict order", opts: []dequeue.Option{dequeue.WithStrictOrder()}},
		{name: "strict order with one worker", opts: []dequeue.Option{dequeue.WithStrictOrder(), dequeue.WithWorkers(1)}},
		{name: "strict order with workers", opts: []dequeue.Option{dequeue.WithWorkers(3), dequeue.WithStrictOrder()}, wantErr: dequeue.ErrInvalidOption},
		{name: "no workers", opts: []dequeue.Option{dequeue.WithWorkers(0)}, wantErr: dequeue.ErrInvalidOption},
		{name: "negative wait", opts: []dequeue.Option{dequeue.WithSchedule(dequeue.Schedule{time.Second, -time.Second})}, wantErr: dequeue.ErrInvalidOption},
		{name: "empty schedule", opts: []dequeue.Option{dequeue.WithSchedule(nil)}},
		{name: "zero visibility", opts: []dequeue.Option{dequeue.WithVisibility(0)}, wantErr: dequeue.ErrInvalidOption},
		{name: "visibility under the client's worst case", opts: []dequeue.Option{dequeue.WithVisibility(time.Minute)}, wantErr: dequeue.ErrInvalidOption},
		{name: "zero poll interval", opts: []dequeue.Option{dequeue.WithPollInterval(0)}, wantErr: dequeue.ErrInvalidOption},
		{name: "zero drain timeout", opts: []dequeue.Option{dequeue.WithDrainTimeout(0)}},
		{name: "negative drain timeout", opts: []dequeue.Option{dequeue.WithDrainTimeout(-time.Second)}, wantErr: dequeue.ErrInvalidOption},
		{name: "nil logger", opts: []dequeue.Option{dequeue.WithLogger(nil)}, wantErr: dequeue.ErrInvalidOption},
		{name: "nil clock", opts: []dequeue.Option{dequeue.WithClock(nil)}, wantErr: dequeue.ErrInvalidOption},
		{name: "nil option", opts: []dequeue.Option{nil}, wantErr: dequeue.ErrInvalidOption},
	}
	// The default client: 4 attempts of up to 30s, waits of up to 30s.
	client := transportClient(t, destinationtest.NewTransport(nil), func(c *destination.Config) { c.Retry = destination.Retry{} })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := dequeue.NewDispatcher(dequeue.NewMemory(), client, tt.opts...)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, d)
				assert.Regexp(t, `^dequeue: `, err.Error())
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, d)
		})
	}
}

func TestNewDispatcherNeedsQueueAndClient(t *testing.T) {
	_, err := dequeue.NewDispatcher(nil, transportClient(t, destinationtest.NewTransport(nil), nil))
	require.Error(t, err)
	_, err = dequeue.NewDispatcher(dequeue.NewMemory(), nil)
	require.Error(t, err)
}

func TestRunOnceDeliversEveryMessageOnce(t *testing.T) {
	tr := destinationtest.NewTransport(nil)
	q := dequeue.NewMemory()
	ids := putMessages(t, q, "m", 50)
	require.NoError(t, q.Put(context.Background(), dequeue.Message{ID: "with-headers", Payload: []byte("h"),
		Headers: map[string]string{"x-trace": "abc", "SOAPAction": "order"}}))
	ev := newEvents()
	d := newDispatcher(t, q, transportClient(t, tr, nil), dequeue.WithWorkers(8), dequeue.WithHooks(ev.hooks()))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: 51}, sum)
	assert.Equal(t, dequeue.Stats{}, queueStats(t, q))

	reqs := tr.Requests()
	require.Len(t, reqs, 51)
	byID := map[string]destinationtest.Request{}
	for _, r := range reqs {
		byID[r.Header.Get("Idempotency-Key")] = r
	}
	for _, id := range ids {
		require.Contains(t, byID, id)
		assert.Equal(t, "payload of "+id, string(byID[id].Body))
	}
	assert.Equal(t, "abc", byID["with-headers"].Header.Get("X-Trace"))
	assert.Equal(t, "order", byID["with-headers"].Header.Get("Soapaction"))
	got := ev.snapshot()
	assert.Len(t, got.attempts, 51)
	assert.ElementsMatch(t, got.attempts, got.delivered)
}

func TestRunDeliversMessagesPutWhileRunning(t *testing.T) {
	tr := destinationtest.NewTransport(nil)
	q := dequeue.NewMemory()
	d := newDispatcher(t, q, transportClient(t, tr, nil), dequeue.WithPollInterval(5*time.Millisecond))
	ctx, cancel := context.WithCancel(deadlineCtx(t))
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()

	putMessages(t, q, "late", 20)
	_, err := tr.WaitForRequests(deadlineCtx(t), 20)
	require.NoError(t, err)
	_, err = d.RunOnce(ctx)
	require.ErrorIs(t, err, dequeue.ErrRunning, "one run at a time")
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, dequeue.Stats{}, queueStats(t, q))
	assert.Len(t, tr.Requests(), 20)
}

// Each failure ends in the documented state: what may pass is rescheduled
// on the schedule, what will not is dead at once with its reason.
func TestFailureOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		fail       func(tr *destinationtest.Transport)
		wantReason destination.Reason
		wantDead   bool
	}{
		{name: "connection failed", fail: failWith(destination.ReasonConnectionFailed), wantReason: destination.ReasonConnectionFailed},
		{name: "timeout", fail: failWith(destination.ReasonTimeout), wantReason: destination.ReasonTimeout},
		{name: "503", fail: failStatus(http.StatusServiceUnavailable), wantReason: destination.ReasonHTTPStatus},
		{name: "500", fail: failStatus(http.StatusInternalServerError), wantReason: destination.ReasonHTTPStatus},
		{name: "429", fail: failStatus(http.StatusTooManyRequests), wantReason: destination.ReasonHTTPStatus},
		{name: "408", fail: failStatus(http.StatusRequestTimeout), wantReason: destination.ReasonHTTPStatus},
		{name: "501", fail: failStatus(http.StatusNotImplemented), wantReason: destination.ReasonHTTPStatus, wantDead: true},
		{name: "400", fail: failStatus(http.StatusBadRequest), wantReason: destination.ReasonHTTPStatus, wantDead: true},
		{name: "401", fail: failStatus(http.StatusUnauthorized), wantReason: destination.ReasonHTTPStatus, wantDead: true},
		{name: "404", fail: failStatus(http.StatusNotFound), wantReason: destination.ReasonHTTPStatus, wantDead: true},
		{name: "client certificate rejected", fail: failWith(destination.ReasonClientCertRejected), wantReason: destination.ReasonClientCertRejected, wantDead: true},
		{name: "server untrusted", fail: failWith(destination.ReasonServerUntrusted), wantReason: destination.ReasonServerUntrusted, wantDead: true},
		{name: "hostname mismatch", fail: failWith(destination.ReasonHostnameMismatch), wantReason: destination.ReasonHostnameMismatch, wantDead: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := destinationtest.NewTransport(nil)
			tt.fail(tr)
			clk := newManualClock()
			q := dequeue.NewMemory(dequeue.WithMemoryClock(clk.Now))
			putMessages(t, q, "m", 1)
			ev := newEvents()
			d := newDispatcher(t, q, transportClient(t, tr, nil), dequeue.WithClock(clk.Now),
				dequeue.WithSchedule(dequeue.Schedule{time.Hour}), dequeue.WithHooks(ev.hooks()))

			sum, err := d.RunOnce(deadlineCtx(t))
			require.NoError(t, err)
			got := ev.snapshot()
			dead, err := q.Dead(context.Background())
			require.NoError(t, err)
			if tt.wantDead {
				assert.Equal(t, dequeue.Summary{Dead: 1}, sum)
				assert.Equal(t, map[string]destination.Reason{"m-0000": tt.wantReason}, got.dead)
				require.Len(t, dead, 1)
				assert.Equal(t, string(tt.wantReason), dead[0].Reason)
				assert.Equal(t, 1, dead[0].Attempts)
				assert.Contains(t, dead[0].Detail, string(tt.wantReason))
				return
			}
			assert.Equal(t, dequeue.Summary{Rescheduled: 1}, sum)
			assert.Empty(t, dead)
			require.Len(t, got.rescheduled, 1)
			assert.Equal(t, tt.wantReason, got.rescheduled[0].reason)
			assert.WithinDuration(t, clk.Now().Add(time.Hour), got.rescheduled[0].at, 6*time.Minute, "an hour ±10%")
			assert.Equal(t, dequeue.Stats{Pending: 1}, queueStats(t, q))

			clk.Advance(2 * time.Hour)
			sum, err = d.RunOnce(deadlineCtx(t))
			require.NoError(t, err)
			assert.Equal(t, dequeue.Summary{Delivered: 1}, sum)
			assert.Equal(t, dequeue.Stats{}, queueStats(t, q))
		})
	}
}

func failWith(reason destination.Reason) func(*destinationtest.Transport) {
	return func(tr *destinationtest.Transport) {
		if err := tr.FailNext(1, reason); err != nil {
			panic(err)
		}
	}
}

func failStatus(status int) func(*destinationtest.Transport) {
	return func(tr *destinationtest.Transport) { tr.FailStatus(1, status, "") }
}

func TestExhaustedScheduleIsDead(t *testing.T) {
	tr := destinationtest.NewTransport(nil)
	tr.FailStatus(3, http.StatusBadGateway, "")
	q := dequeue.NewMemory()
	putMessages(t, q, "m", 1)
	ev := newEvents()
	d := newDispatcher(t, q, transportClient(t, tr, nil),
		dequeue.WithSchedule(dequeue.Schedule{0, 0}), dequeue.WithHooks(ev.hooks()))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Rescheduled: 2, Dead: 1}, sum)
	assert.Equal(t, map[string]destination.Reason{"m-0000": dequeue.ReasonRetriesExhausted}, ev.snapshot().dead)
	dead, err := q.Dead(context.Background())
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, "retries_exhausted", dead[0].Reason)
	assert.Contains(t, dead[0].Detail, "3 attempts failed")
	assert.Contains(t, dead[0].Detail, "http_status: status 502")
	assert.Len(t, tr.Requests(), 3)
}

func TestRetryAfterStretchesTheWait(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		want       time.Duration
		slack      time.Duration
	}{
		{name: "longer than the schedule", retryAfter: "120", want: 120 * time.Second},
		{name: "shorter than the schedule", retryAfter: "1", want: time.Minute, slack: 6 * time.Second},
		{name: "an HTTP date", retryAfter: "date", want: time.Hour},
		{name: "absurdly long", retryAfter: "99999999", want: 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newManualClock()
			if tt.retryAfter == "date" {
				tt.retryAfter = clk.Now().Add(tt.want).UTC().Format(http.TimeFormat)
				tt.slack = time.Second // HTTP dates have whole seconds
			}
			tr := destinationtest.NewTransport(nil)
			tr.FailStatus(1, http.StatusServiceUnavailable, tt.retryAfter)
			q := dequeue.NewMemory(dequeue.WithMemoryClock(clk.Now))
			putMessages(t, q, "m", 1)
			ev := newEvents()
			d := newDispatcher(t, q, transportClient(t, tr, nil), dequeue.WithClock(clk.Now),
				dequeue.WithSchedule(dequeue.Schedule{time.Minute}), dequeue.WithHooks(ev.hooks()))
			_, err := d.RunOnce(deadlineCtx(t))
			require.NoError(t, err)
			got := ev.snapshot().rescheduled
			require.Len(t, got, 1)
			assert.WithinDuration(t, clk.Now().Add(tt.want), got[0].at, tt.slack)
		})
	}
}

// A GET destination puts the payload in the query string; net/http's
// errors repeat the URL. Neither the dead letter nor the log may show it.
func TestNoPayloadInDeadLettersOrLogs(t *testing.T) {
	const secret = "card-4111111111111111"
	tr := destinationtest.NewTransport(nil)
	require.NoError(t, tr.FailNext(1, destination.ReasonConnectionFailed))
	q := dequeue.NewMemory()
	require.NoError(t, q.Put(context.Background(), dequeue.Message{ID: "m-1", Payload: []byte(secret)}))
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := transportClient(t, tr, func(c *destination.Config) {
		c.Method = http.MethodGet
		c.Params = map[string]string{"data": "%{payload}"}
	})
	d := newDispatcher(t, q, client, dequeue.WithSchedule(nil), dequeue.WithLogger(logger))

	_, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	dead, err := q.Dead(context.Background())
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Contains(t, dead[0].Detail, "connection refused")
	assert.NotContains(t, dead[0].Detail, secret)
	assert.NotContains(t, logs.String(), secret)
	assert.Contains(t, logs.String(), "id=m-1")
	assert.Contains(t, logs.String(), "reason=retries_exhausted")
}

func TestRunRetriesWithoutWaitingForThePoll(t *testing.T) {
	tests := []struct {
		name string
		wait time.Duration
	}{
		{name: "at once", wait: 0},
		{name: "after a short wait", wait: 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := destinationtest.NewTransport(nil)
			tr.FailStatus(1, http.StatusServiceUnavailable, "")
			q := dequeue.NewMemory()
			putMessages(t, q, "m", 1)
			d := newDispatcher(t, q, transportClient(t, tr, nil),
				dequeue.WithPollInterval(time.Hour), dequeue.WithSchedule(dequeue.Schedule{tt.wait}))
			ctx, cancel := context.WithCancel(deadlineCtx(t))
			done := make(chan error, 1)
			go func() { done <- d.Run(ctx) }()
			_, err := tr.WaitForRequests(deadlineCtx(t), 2)
			cancel()
			require.NoError(t, err, "the retry came before the hour-long poll")
			require.NoError(t, <-done)
			assert.Equal(t, dequeue.Stats{}, queueStats(t, q))
		})
	}
}

// A queue that fails to record an outcome stops the run, with the error.
func TestRunStopsWhenTheQueueFails(t *testing.T) {
	runs := map[string]func(*dequeue.Dispatcher, context.Context) error{
		"Run": (*dequeue.Dispatcher).Run,
		"RunOnce": func(d *dequeue.Dispatcher, ctx context.Context) error {
			_, err := d.RunOnce(ctx)
			return err
		},
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			q := &failingAck{Memory: dequeue.NewMemory()}
			putMessages(t, q, "m", 3)
			d := newDispatcher(t, q, transportClient(t, destinationtest.NewTransport(nil), nil))
			require.ErrorIs(t, run(d, deadlineCtx(t)), errDiskFull)
		})
	}
}

var errDiskFull = errors.New("disk full")

type failingAck struct{ *dequeue.Memory }

func (f *failingAck) Ack(context.Context, string) error { return errDiskFull }

// Unless set, the visibility grows to cover a slow destination.
func TestDefaultVisibilityCoversASlowClient(t *testing.T) {
	slow := transportClient(t, destinationtest.NewTransport(nil), func(c *destination.Config) {
		c.Timeout = 2 * time.Minute
		c.Retry = destination.Retry{MaxAttempts: 4}
	})
	_, err := dequeue.NewDispatcher(dequeue.NewMemory(), slow)
	require.NoError(t, err)
	_, err = dequeue.NewDispatcher(dequeue.NewMemory(), slow, dequeue.WithVisibility(dequeue.DefaultVisibility))
	require.ErrorIs(t, err, dequeue.ErrInvalidOption)
}
