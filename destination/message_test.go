package destination_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

func TestSendRefusesBodiesItCannotSendWhole(t *testing.T) {
	five := bytes.NewReader([]byte("hello"))
	tests := []struct {
		name   string
		msg    destination.Message
		params bool
	}{
		{name: "negative size", msg: destination.Message{Body: five, Size: -1}, params: true},
		{name: "size beyond the body", msg: destination.Message{Body: five, Size: 8}},
		{name: "size beyond the body, templated", msg: destination.Message{Body: five, Size: 8}, params: true},
		{name: "forgotten size", msg: destination.Message{Body: five}},
		{name: "payload and body", msg: destination.Message{Payload: []byte("x"), Body: five, Size: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := destinationtest.NewTransport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			cfg := &destination.Config{URL: "https://partner.example/in"}
			if tt.params {
				cfg.Params = map[string]string{"m": "%{payload}"}
			}
			client, err := destination.New(cfg, destination.WithTransport(tr))
			require.NoError(t, err)
			_, err = client.Send(context.Background(), tt.msg)
			de := requireReason(t, err, destination.ReasonConfigInvalid)
			assert.Equal(t, "Message", de.Field)
			assert.Empty(t, tr.Requests(), "nothing is sent")
		})
	}
}

func TestSendStatsAFileBody(t *testing.T) {
	path := filepath.Join(t.TempDir(), "order.xml")
	require.NoError(t, os.WriteFile(path, []byte("<order/>"), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	tr := destinationtest.NewTransport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	client, err := destination.New(&destination.Config{URL: "https://partner.example/in"}, destination.WithTransport(tr))
	require.NoError(t, err)

	_, err = client.Send(context.Background(), destination.Message{Body: f}) // no Size: courier stats the file
	require.NoError(t, err)
	assert.Equal(t, "<order/>", string(tr.Requests()[0].Body))
}

func TestCancelWhileWaitingToRetryKeepsTheStatus(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(1, http.StatusServiceUnavailable, "3600") // capped by waitMax: a long wait
	cfg := srv.Destination(t)
	cfg.Retry.WaitMax = destination.DefaultWaitMax
	ctx, cancel := context.WithCancel(context.Background())
	// Cancel exactly when the client starts waiting to retry: it logs
	// "retrying" just before it waits.
	onRetry := slog.New(&callbackHandler{msg: "retrying", fn: cancel})
	client, err := destination.New(cfg, destination.WithLogger(onRetry))
	require.NoError(t, err)

	res, err := client.Send(ctx, destination.Message{Payload: []byte("x")})
	de := requireReason(t, err, destination.ReasonHTTPStatus)
	assert.Equal(t, http.StatusServiceUnavailable, de.Status)
	assert.Equal(t, http.StatusServiceUnavailable, res.Status)
	assert.Equal(t, 1, res.Attempts)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestErrorRetryable(t *testing.T) {
	tests := []struct {
		err  *destination.Error
		want bool
	}{
		{&destination.Error{Reason: destination.ReasonHTTPStatus, Status: 503}, true},
		{&destination.Error{Reason: destination.ReasonHTTPStatus, Status: 429}, true},
		{&destination.Error{Reason: destination.ReasonHTTPStatus, Status: 501}, false},
		{&destination.Error{Reason: destination.ReasonHTTPStatus, Status: 400}, false},
		{&destination.Error{Reason: destination.ReasonTimeout}, true},
		{&destination.Error{Reason: destination.ReasonConnectionFailed}, true},
		{&destination.Error{Reason: destination.ReasonClientCertRejected}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Retryable(), "%s %d", tt.err.Reason, tt.err.Status)
	}
}

func TestOptionsThatContradictEachOther(t *testing.T) {
	cfg := &destination.Config{URL: "https://partner.example/in"}
	tr := destinationtest.NewTransport(http.NotFoundHandler())
	_, err := destination.New(cfg, destination.WithHTTPClient(&http.Client{}), destination.WithTransport(tr))
	requireReason(t, err, destination.ReasonConfigInvalid)
	_, err = destination.New(cfg, destination.WithRetry(destination.Retry{WaitMin: 2, WaitMax: 1}))
	requireReason(t, err, destination.ReasonConfigInvalid)
}

func TestReasonOfAnUnreadableDestinationFile(t *testing.T) {
	_, err := destination.Load(filepath.Join(t.TempDir(), "absent.json"))
	require.Error(t, err)
	assert.Equal(t, destination.ReasonConfigInvalid, destination.ReasonOf(err))
	assert.Equal(t, destination.ReasonConnectionFailed, destination.ReasonOf(errors.New("something else")))
}

// callbackHandler is a slog.Handler that calls fn when a record with msg is
// logged.
type callbackHandler struct {
	msg string
	fn  func()
}

func (h *callbackHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *callbackHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.fn()
	}
	return nil
}
func (h *callbackHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *callbackHandler) WithGroup(string) slog.Handler      { return h }

func TestURLPortAndSchemeAreChecked(t *testing.T) {
	for _, raw := range []string{"https://partner.example:70000/in", "https://partner.example:0/in", "127.0.0.1:8443/in"} {
		_, err := destination.Parse([]byte(`{url: '` + raw + `'}`))
		fe, ok := errors.AsType[*destination.FieldError](err)
		require.True(t, ok, raw)
		assert.Equal(t, "url", fe.Field, raw)
	}
}

func TestSendRefusesIDsAndHeadersHTTPCannotCarry(t *testing.T) {
	tests := []struct {
		name string
		msg  destination.Message
	}{
		{"line break in the ID", destination.Message{ID: "a\nb", Payload: []byte("x")}},
		{"space in a header name", destination.Message{Payload: []byte("x"), Header: http.Header{"Bad Header": {"v"}}}},
		{"line break in a header value", destination.Message{Payload: []byte("x"), Header: http.Header{"X-A": {"v\r\nX-B: w"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := destinationtest.NewTransport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			client, err := destination.New(&destination.Config{URL: "https://partner.example/in"}, destination.WithTransport(tr))
			require.NoError(t, err)
			res, err := client.Send(context.Background(), tt.msg)
			requireReason(t, err, destination.ReasonConfigInvalid)
			assert.Zero(t, res.Attempts, "refused before any attempt")
			assert.Error(t, tt.msg.Validate())
		})
	}
}
