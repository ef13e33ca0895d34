package dequeue_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
	"github.com/mtlscourier/courier/internal/javatest"
)

// Fault tests: a real mutual-TLS server on loopback misbehaves, and every
// message ends in the documented state. Time moves by hand (a shared
// clock) so retries come due without sleeping.

// A 503 storm with Retry-After: every message is rescheduled no sooner than
// the partner asked, and all are delivered once the storm is over.
func TestFault503StormWithRetryAfter(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(20, http.StatusServiceUnavailable, "120")
	clk := newManualClock()
	q := dequeue.NewMemory(dequeue.WithMemoryClock(clk.Now))
	ids := putMessages(t, q, "storm", 20)
	ev := newEvents()
	d := newDispatcher(t, q, serverClient(t, srv, nil), dequeue.WithClock(clk.Now), dequeue.WithWorkers(4),
		dequeue.WithSchedule(dequeue.Schedule{time.Second, time.Second}), dequeue.WithHooks(ev.hooks()))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Rescheduled: 20}, sum)
	for _, r := range ev.snapshot().rescheduled {
		assert.Equal(t, destination.ReasonHTTPStatus, r.reason)
		assert.Equal(t, clk.Now().Add(120*time.Second), r.at, "Retry-After beats the 1s schedule")
	}
	assert.Equal(t, dequeue.Stats{Pending: 20}, queueStats(t, q))

	clk.Advance(119 * time.Second)
	sum, err = d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{}, sum, "not before the partner said")

	clk.Advance(time.Second)
	sum, err = d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: 20}, sum)
	assert.Equal(t, dequeue.Stats{}, queueStats(t, q))
	assert.ElementsMatch(t, ids, ev.snapshot().delivered)
}

// A server that drops the connection on one message: that message is
// retried and dead-lettered when its schedule runs out; the others are
// delivered meanwhile.
func TestFaultConnectionResets(t *testing.T) {
	srv := destinationtest.NewServer(t, destinationtest.WithHandler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Idempotency-Key") == "reset-me" {
				resetConnection(t, w)
				return
			}
			_, _ = io.WriteString(w, "ok")
		})))
	q := dequeue.NewMemory()
	require.NoError(t, q.Put(context.Background(), dequeue.Message{ID: "reset-me", Payload: []byte("x")}))
	ids := putMessages(t, q, "fine", 10)
	ev := newEvents()
	d := newDispatcher(t, q, serverClient(t, srv, nil), dequeue.WithWorkers(2),
		dequeue.WithSchedule(dequeue.Schedule{0}), dequeue.WithHooks(ev.hooks()))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: 10, Rescheduled: 1, Dead: 1}, sum)
	got := ev.snapshot()
	assert.ElementsMatch(t, ids, got.delivered)
	require.Len(t, got.rescheduled, 1)
	assert.Equal(t, destination.ReasonConnectionFailed, got.rescheduled[0].reason)
	dead, err := q.Dead(context.Background())
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, "retries_exhausted", dead[0].Reason)
	assert.Contains(t, dead[0].Detail, "connection_failed")
}

// resetConnection closes the connection under a request, with a TCP reset.
func resetConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if !assert.NoError(t, err) {
		return
	}
	if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		if tcp, ok := tc.NetConn().(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
	}
	_ = conn.Close()
}

// Responses slower than the client's timeout: rescheduled with reason
// timeout, delivered once the server is fast again.
func TestFaultSlowResponsesTimeOut(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.Delay(time.Minute) // ends when the client gives up
	clk := newManualClock()
	q := dequeue.NewMemory(dequeue.WithMemoryClock(clk.Now))
	putMessages(t, q, "slow", 3)
	ev := newEvents()
	client := serverClient(t, srv, func(c *destination.Config) { c.Timeout = 100 * time.Millisecond })
	d := newDispatcher(t, q, client, dequeue.WithClock(clk.Now), dequeue.WithWorkers(3),
		dequeue.WithSchedule(dequeue.Schedule{time.Minute}), dequeue.WithHooks(ev.hooks()))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Rescheduled: 3}, sum)
	for _, r := range ev.snapshot().rescheduled {
		assert.Equal(t, destination.ReasonTimeout, r.reason)
	}

	srv.Delay(0)
	clk.Advance(2 * time.Minute)
	sum, err = d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: 3}, sum)
}

// A partner that stops trusting our certificate mid-run: the messages
// after the change are dead at once with client_cert_rejected, not
// retried for hours.
func TestFaultServerStartsRejectingOurCertificate(t *testing.T) {
	trusting := destinationtest.NewServer(t)
	rejecting := destinationtest.NewServer(t, destinationtest.WithCA(trusting.CA),
		destinationtest.WithClientCAs(destinationtest.NewCA(t).Pool()))
	fwd := newForwarder(t, trusting.URL)
	client := serverClient(t, trusting, func(c *destination.Config) { c.URL = fwd.URL })
	q := dequeue.NewMemory()
	before := putMessages(t, q, "before", 5)
	ev := newEvents()
	d := newDispatcher(t, q, client, dequeue.WithHooks(ev.hooks()))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: 5}, sum)

	fwd.switchTo(rejecting.URL)
	after := putMessages(t, q, "after", 5)
	sum, err = d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Dead: 5}, sum)
	got := ev.snapshot()
	assert.ElementsMatch(t, before, got.delivered)
	for _, id := range after {
		assert.Equal(t, destination.ReasonClientCertRejected, got.dead[id], id)
	}
	dead, err := q.Dead(context.Background())
	require.NoError(t, err)
	require.Len(t, dead, 5)
	for _, dl := range dead {
		assert.Equal(t, "client_cert_rejected", dl.Reason)
		assert.Equal(t, 1, dl.Attempts)
	}
	assert.Empty(t, rejecting.Requests(), "no request got past the handshake")
}

// forwarder relays TCP connections to a server it can switch, so a client
// sees one address whose server changes. TLS runs end to end through it.
type forwarder struct {
	URL string
	ln  net.Listener

	mu     sync.Mutex // held while dialing, so a switch cannot miss a connection
	target string
	conns  []net.Conn
}

func newForwarder(t *testing.T, targetURL string) *forwarder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &forwarder{URL: "https://" + ln.Addr().String(), ln: ln}
	f.switchTo(targetURL)
	go f.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		f.switchTo("")
	})
	return f
}

// switchTo sends new connections to targetURL and closes the open ones,
// so kept-alive connections cannot reach the old server.
func (f *forwarder) switchTo(targetURL string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.target = strings.TrimPrefix(targetURL, "https://")
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.conns = nil
}

func (f *forwarder) serve() {
	for {
		in, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		out, err := net.Dial("tcp", f.target)
		if err != nil {
			f.mu.Unlock()
			_ = in.Close()
			continue
		}
		f.conns = append(f.conns, in, out)
		f.mu.Unlock()
		go pipe(in, out)
		go pipe(out, in)
	}
}

func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
}

// A 400 will never pass: dead at once, one attempt, the others delivered.
func TestFault400IsDeadAtOnce(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(1, http.StatusBadRequest, "")
	q := dequeue.NewMemory()
	putMessages(t, q, "m", 4)
	d := newDispatcher(t, q, serverClient(t, srv, func(c *destination.Config) {
		c.Retry = destination.Retry{MaxAttempts: 4, WaitMin: time.Millisecond, WaitMax: time.Millisecond}
	}), dequeue.WithWorkers(1))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: 3, Dead: 1}, sum)
	dead, err := q.Dead(context.Background())
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, "http_status", dead[0].Reason)
	assert.Contains(t, dead[0].Detail, "status 400")
	assert.Len(t, srv.Requests(), 4, "the 400 was not retried, not even by the client")
}

// Strict order: the failing head holds the line, the others wait, and all
// arrive in the order they were put.
func TestFaultStrictOrderHoldsTheLine(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(1, http.StatusServiceUnavailable, "")
	clk := newManualClock()
	q := dequeue.NewMemory(dequeue.WithMemoryClock(clk.Now))
	ids := putMessages(t, q, "fifo", 5)
	d := newDispatcher(t, q, serverClient(t, srv, nil), dequeue.WithStrictOrder(), dequeue.WithClock(clk.Now),
		dequeue.WithSchedule(dequeue.Schedule{time.Minute}))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Rescheduled: 1}, sum)
	assert.Equal(t, []string{"fifo-0000"}, idsOf(srv.Requests()), "the others wait behind the head")

	clk.Advance(2 * time.Minute)
	sum, err = d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: 5}, sum)
	assert.Equal(t, append([]string{"fifo-0000"}, ids...), idsOf(srv.Requests()))
}

// Strict order under Run: one message in flight at any time.
func TestFaultStrictOrderKeepsOneInFlight(t *testing.T) {
	var inflight, most atomic.Int64
	srv := destinationtest.NewServer(t, destinationtest.WithHandler(http.HandlerFunc(
		func(w http.ResponseWriter, _ *http.Request) {
			n := inflight.Add(1)
			defer inflight.Add(-1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			_, _ = io.WriteString(w, "ok")
		})))
	q := dequeue.NewMemory()
	ids := putMessages(t, q, "fifo", 30)
	d := newDispatcher(t, q, serverClient(t, srv, nil), dequeue.WithStrictOrder())
	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: 30}, sum)
	assert.Equal(t, ids, idsOf(srv.Requests()))
	assert.Equal(t, int64(1), most.Load())
}

// Without strict order a poison message does not hold back the others.
func TestFaultNoHeadOfLineBlocking(t *testing.T) {
	srv := destinationtest.NewServer(t, destinationtest.WithHandler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Idempotency-Key") == "poison" {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			_, _ = io.WriteString(w, "ok")
		})))
	q := dequeue.NewMemory()
	require.NoError(t, q.Put(context.Background(), dequeue.Message{ID: "poison", Payload: []byte("x")}))
	ids := putMessages(t, q, "m", 20)
	ev := newEvents()
	d := newDispatcher(t, q, serverClient(t, srv, nil), dequeue.WithWorkers(2),
		dequeue.WithSchedule(dequeue.Schedule{time.Hour}), dequeue.WithHooks(ev.hooks()))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: 20, Rescheduled: 1}, sum)
	assert.ElementsMatch(t, ids, ev.snapshot().delivered)
	assert.Equal(t, dequeue.Stats{Pending: 1}, queueStats(t, q))
}

// Cancelling Run drains: deliveries in flight finish and are acked, or,
// past the drain timeout, are returned to the queue due at once. Nothing
// stays leased.
func TestFaultDrainOnCancel(t *testing.T) {
	tests := []struct {
		name          string
		drain         time.Duration
		release       bool // the server answers once Run was cancelled
		wantStats     dequeue.Stats
		wantDelivered int
	}{
		{name: "in-flight deliveries finish", drain: time.Minute, release: true, wantDelivered: 3},
		{name: "past the drain timeout they go back", drain: 0, wantStats: dequeue.Stats{Pending: 3, Due: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			answer := sync.OnceFunc(func() { close(release) })
			srv := destinationtest.NewServer(t, destinationtest.WithHandler(http.HandlerFunc(
				func(w http.ResponseWriter, r *http.Request) {
					select {
					case <-release:
						_, _ = io.WriteString(w, "ok")
					case <-r.Context().Done():
					}
				})))
			t.Cleanup(answer)
			q := dequeue.NewMemory()
			putMessages(t, q, "m", 3)
			ev := newEvents()
			d := newDispatcher(t, q, serverClient(t, srv, nil), dequeue.WithWorkers(3),
				dequeue.WithDrainTimeout(tt.drain), dequeue.WithHooks(ev.hooks()))
			ctx, cancel := context.WithCancel(deadlineCtx(t))
			done := make(chan error, 1)
			go func() { done <- d.Run(ctx) }()
			_, err := srv.WaitForRequests(deadlineCtx(t), 3)
			require.NoError(t, err)

			cancel()
			if tt.release {
				answer()
			}
			require.NoError(t, <-done)
			assert.Equal(t, tt.wantStats, queueStats(t, q))
			got := ev.snapshot()
			assert.Len(t, got.delivered, tt.wantDelivered)
			for _, r := range got.rescheduled {
				assert.Equal(t, dequeue.ReasonInterrupted, r.reason)
			}
			assert.Len(t, got.rescheduled, 3-tt.wantDelivered)
		})
	}
}

// Against a real Java (JSSE) server requiring client certificates, with
// keystores made by keytool: every message arrives once, exactly as the
// destination describes it (a form parameter holding the payload).
func TestJavaServerReceivesEveryMessage(t *testing.T) {
	srv := javatest.Start(t, javatest.Options{})
	cfg := &destination.Config{
		URL:            srv.URL + "/in",
		Params:         map[string]string{"message": "%{payload}", "id": "%{id}"},
		KeystoreFile:   javatest.Fixture(t, "client-rsa.jks"),
		KeystorePass:   destination.NewSecret("changeit"),
		TruststoreFile: javatest.Fixture(t, "trust.jks"),
		TruststorePass: destination.NewSecret("changeit"),
	}
	client, err := destination.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	q := dequeue.NewMemory()
	const n = 200
	payloads := map[string]string{}
	msgs := make([]dequeue.Message, n)
	for i := range n {
		id := fmt.Sprintf("java-%03d", i)
		payloads[id] = fmt.Sprintf("<order n='%d' note=\"a&b=c + ü %%20\"/>", i)
		msgs[i] = dequeue.Message{ID: id, Payload: []byte(payloads[id])}
	}
	require.NoError(t, q.Put(context.Background(), msgs...))
	d := newDispatcher(t, q, client, dequeue.WithWorkers(4))

	sum, err := d.RunOnce(deadlineCtx(t))
	require.NoError(t, err)
	assert.Equal(t, dequeue.Summary{Delivered: n}, sum)
	reqs, err := srv.WaitForRequests(deadlineCtx(t), n)
	require.NoError(t, err)
	require.Len(t, reqs, n)
	seen := map[string]bool{}
	for _, r := range reqs {
		id := r.Header.Get("Idempotency-Key")
		require.Contains(t, payloads, id)
		assert.False(t, seen[id], "%s arrived twice", id)
		seen[id] = true
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/in", r.Path)
		assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		form, err := url.ParseQuery(string(r.Body))
		require.NoError(t, err)
		assert.Equal(t, url.Values{"message": {payloads[id]}, "id": {id}}, form)
		assert.NotEmpty(t, r.ClientSubject)
	}
	assert.Equal(t, dequeue.Stats{}, queueStats(t, q))
}
