package destinationtest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// TestCourierClassifiesSimulatedFailures is the promise of Transport:
// courier names each simulated failure with the reason it was made for.
func TestCourierClassifiesSimulatedFailures(t *testing.T) {
	ca := destinationtest.NewCA(t)
	cfg := ca.Destination(t, "https://partner.example/in")
	tests := []struct {
		name   string
		reason destination.Reason
	}{
		{name: "server untrusted", reason: destination.ReasonServerUntrusted},
		{name: "hostname mismatch", reason: destination.ReasonHostnameMismatch},
		{name: "client cert rejected", reason: destination.ReasonClientCertRejected},
		{name: "connection failed", reason: destination.ReasonConnectionFailed},
		{name: "timeout", reason: destination.ReasonTimeout},
		{name: "http status", reason: destination.ReasonHTTPStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := destinationtest.NewTransport(nil)
			require.NoError(t, tr.FailNext(10, tt.reason))
			client, err := destination.New(cfg, destination.WithTransport(tr),
				destination.WithRetry(destination.Retry{MaxAttempts: 2, WaitMin: time.Millisecond, WaitMax: time.Millisecond}))
			require.NoError(t, err)
			t.Cleanup(func() { _ = client.Close() })
			_, err = client.Send(context.Background(), destination.Message{Payload: []byte("hello")})
			assert.Equal(t, tt.reason, destination.ReasonOf(err), "%v", err)
		})
	}
}

// TestCourierSendsToServer delivers through courier to a Server, with the
// files Server.Destination wrote.
func TestCourierSendsToServer(t *testing.T) {
	for _, format := range []struct {
		name string
		opts []destinationtest.DestinationOption
	}{
		{name: "JKS"},
		{name: "PKCS12", opts: []destinationtest.DestinationOption{destinationtest.WithPKCS12()}},
		{name: "PEM", opts: []destinationtest.DestinationOption{destinationtest.WithPEM()}},
	} {
		t.Run(format.name, func(t *testing.T) {
			s := destinationtest.NewServer(t)
			s.FailNext(1, http.StatusServiceUnavailable, "0")
			client, err := destination.New(s.Destination(t, append(format.opts, destinationtest.WithPath("/in"))...),
				destination.WithRetry(destination.Retry{WaitMin: time.Millisecond, WaitMax: time.Millisecond}))
			require.NoError(t, err)
			t.Cleanup(func() { _ = client.Close() })
			res, err := client.Send(context.Background(), destination.Message{ID: "msg-1", Payload: []byte("hello")})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.Status)
			assert.Equal(t, 2, res.Attempts)
			reqs := s.Requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, "/in", reqs[1].Path)
			assert.Equal(t, "hello", string(reqs[1].Body))
			assert.Equal(t, "msg-1", reqs[1].Header.Get(destination.DefaultIDHeader))
			assert.Equal(t, destinationtest.ClientCommonName, reqs[1].ClientSubject)
		})
	}
}
