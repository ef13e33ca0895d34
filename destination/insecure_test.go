package destination_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

func TestInsecureSkipVerifyWarnsOnEveryBuild(t *testing.T) {
	srv := destinationtest.NewServer(t)
	cfg := srv.Destination(t)
	cfg.TruststoreFile, cfg.TruststorePass = "", destination.Secret{}
	cfg.InsecureSkipVerify = true
	cfg.URL += "/in?token=abc"

	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	for range 2 {
		client := newClient(t, cfg, destination.WithLogger(logger))
		_, err := client.Send(context.Background(), destination.Message{Payload: []byte("x")})
		require.NoError(t, err, "the server's certificate is not checked")
	}
	assert.Equal(t, 2, bytes.Count(logs.Bytes(), []byte("insecureSkipVerify is true")))
	assert.NotContains(t, logs.String(), "token=abc", "urls are logged redacted")
}

func TestFailedSendKeepsOtherConnectionsAlive(t *testing.T) {
	// go-retryablehttp closes every idle connection after a request that
	// gives up; courier's transport does not let it.
	srv := destinationtest.NewServer(t)
	client := newClient(t, srv.Destination(t))
	_, err := client.Send(context.Background(), destination.Message{Payload: []byte("x")})
	require.NoError(t, err)

	srv.FailNext(4, http.StatusServiceUnavailable, "0")
	_, err = client.Send(context.Background(), destination.Message{Payload: []byte("x")})
	requireReason(t, err, destination.ReasonHTTPStatus)

	_, err = client.Send(context.Background(), destination.Message{Payload: []byte("x")})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Connections(), "one connection for all three sends and their retries")
}

func TestLogsNeverHoldPayloadsOrSecrets(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(1, http.StatusServiceUnavailable, "0")
	cfg := srv.Destination(t)
	cfg.Username, cfg.Password = "neo", destination.NewSecret("basic-secret-9")
	var logs bytes.Buffer
	client := newClient(t, cfg, destination.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := client.Send(context.Background(), destination.Message{ID: "id-1", Payload: []byte("payload-text-7")})
	require.NoError(t, err)

	for _, key := range []string{`"id":"id-1"`, `"attempt":2`, `"status":503`, `"wait":`, `"url":`} {
		assert.Contains(t, logs.String(), key)
	}
	assert.NotContains(t, logs.String(), "payload-text-7")
	assert.NotContains(t, logs.String(), "basic-secret-9")
	assert.NotContains(t, logs.String(), "changeit")
}

func TestErrorsNeverHoldThePayload(t *testing.T) {
	srv := destinationtest.NewServer(t)
	cfg := srv.Destination(t)
	cfg.URL = "https://127.0.0.1:1/in/%{payload}" // nothing listens on port 1
	cfg.Method = "GET"
	cfg.Params = map[string]string{"message": "%{payload}"}
	cfg.Retry.MaxAttempts = 1
	_, err := newClient(t, cfg).Send(context.Background(), destination.Message{Payload: []byte("payload-text-7")})
	requireReason(t, err, destination.ReasonConnectionFailed)
	assert.NotContains(t, err.Error(), "payload-text-7")
}
