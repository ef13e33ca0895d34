package enqueue_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
	"github.com/mtlscourier/courier/enqueue"
	"github.com/mtlscourier/courier/internal/javatest"
)

var fastRetry = destination.WithRetry(destination.Retry{WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond})

func order() enqueue.Message {
	return enqueue.Message{
		QueueName:               "Orders/Inbound EU",
		Sender:                  "ACME & Co",
		InboundInterface:        "OrderIn",
		InboundInterfaceVersion: "1.0",
		Payload:                 []byte("<order id='1'/>"),
	}
}

func newClient(t *testing.T, cfg *destination.Config) *enqueue.Client {
	t.Helper()
	c, err := enqueue.New(cfg, fastRetry)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestEnqueueSendsEveryArgument(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(1, http.StatusServiceUnavailable, "0")
	client := newClient(t, srv.Destination(t))

	msg := order()
	msg.InboundQueueEnterpriseName = "ACME Europe"
	res, err := client.Enqueue(context.Background(), msg)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Attempts)
	assert.Len(t, res.ID, 36, "an ID is generated and reported")

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, enqueue.Path, r.Path)
		q, err := url.ParseQuery(r.RawQuery)
		require.NoError(t, err)
		assert.Equal(t, url.Values{
			"QueueName":                  {"Orders/Inbound EU"},
			"Sender":                     {"ACME & Co"},
			"InboundInterface":           {"OrderIn"},
			"InboundInterfaceVersion":    {"1.0"},
			"InboundQueueEnterpriseName": {"ACME Europe"},
			"Id":                         {res.ID},
		}, q, "the same arguments and Id on every retry")
		assert.Contains(t, r.RawQuery, "QueueName=Orders%2FInbound+EU", "values are URL-encoded")
		assert.Equal(t, "<order id='1'/>", string(r.Body))
	}
}

func TestEnqueueKeepsAGivenID(t *testing.T) {
	srv := destinationtest.NewServer(t)
	msg := order()
	msg.ID = "order-1"
	res, err := newClient(t, srv.Destination(t)).Enqueue(context.Background(), msg)
	require.NoError(t, err)
	assert.Equal(t, "order-1", res.ID)
	q, err := url.ParseQuery(srv.Requests()[0].RawQuery)
	require.NoError(t, err)
	assert.Equal(t, "order-1", q.Get("Id"))
	assert.False(t, q.Has("InboundQueueEnterpriseName"), "optional arguments are left out when empty")
}

func TestEnqueuePath(t *testing.T) {
	tests := []struct {
		name, path, want string
	}{
		{"no path", "", enqueue.Path},
		{"root", "/", enqueue.Path},
		{"explicit path", "/custom/enqueue", "/custom/enqueue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t)
			cfg := srv.Destination(t)
			cfg.URL = srv.URL + tt.path
			_, err := newClient(t, cfg).Enqueue(context.Background(), order())
			require.NoError(t, err)
			assert.Equal(t, tt.want, srv.Requests()[0].Path)
		})
	}
}

func TestEnqueueRequiresArgumentsBeforeSending(t *testing.T) {
	srv := destinationtest.NewServer(t)
	client := newClient(t, srv.Destination(t))
	for _, arg := range []string{"QueueName", "Sender", "InboundInterface", "InboundInterfaceVersion"} {
		t.Run(arg, func(t *testing.T) {
			msg := order()
			switch arg {
			case "QueueName":
				msg.QueueName = ""
			case "Sender":
				msg.Sender = " "
			case "InboundInterface":
				msg.InboundInterface = ""
			case "InboundInterfaceVersion":
				msg.InboundInterfaceVersion = ""
			}
			_, err := client.Enqueue(context.Background(), msg)
			assert.Equal(t, destination.ReasonConfigInvalid, destination.ReasonOf(err))
			ae, ok := errors.AsType[*enqueue.ArgumentError](err)
			require.True(t, ok)
			assert.Equal(t, arg, ae.Argument)
		})
	}
	_, err := client.Enqueue(context.Background(), enqueue.Message{Payload: []byte("x")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "QueueName")
	assert.Contains(t, err.Error(), "InboundInterfaceVersion", "every missing argument at once")
	assert.Empty(t, srv.Requests(), "nothing is sent")
}

func TestEnqueueRefusesDestinationsItCannotHonour(t *testing.T) {
	srv := destinationtest.NewServer(t)
	tests := []struct {
		name      string
		edit      func(*destination.Config)
		wantField string
	}{
		{"params", func(c *destination.Config) { c.Params = map[string]string{"message": "%{payload}"} }, "params"},
		{"GET", func(c *destination.Config) { c.Method = "GET" }, "method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := srv.Destination(t)
			tt.edit(cfg)
			_, err := enqueue.New(cfg)
			de, ok := errors.AsType[*destination.Error](err)
			require.True(t, ok)
			assert.Equal(t, destination.ReasonConfigInvalid, de.Reason)
			assert.Equal(t, tt.wantField, de.Field)
		})
	}
}

func TestEnqueueFailuresHaveSendsReasons(t *testing.T) {
	srv := destinationtest.NewServer(t)
	cfg := srv.Destination(t, destinationtest.WithIdentity(destinationtest.NewCA(t).IssueClient(t, "rogue")))
	res, err := newClient(t, cfg).Enqueue(context.Background(), order())
	assert.Equal(t, destination.ReasonClientCertRejected, destination.ReasonOf(err))
	assert.Equal(t, 1, res.Attempts)
	assert.NotEmpty(t, res.ID)
}

func TestEnqueueToJavaServer(t *testing.T) {
	for _, engine := range []string{javatest.EngineHTTPServer, javatest.EngineSocket} {
		t.Run(engine, func(t *testing.T) {
			srv := javatest.Start(t, javatest.Options{Engine: engine})
			cfg := &destination.Config{
				URL:            srv.URL,
				KeystoreFile:   javatest.Fixture(t, "client.p12"),
				KeystorePass:   destination.NewSecret("changeit"),
				TruststoreFile: javatest.Fixture(t, "trust.jks"),
				TruststorePass: destination.NewSecret("changeit"),
			}
			msg := order()
			msg.ID = "java-1"
			msg.InboundQueueEnterpriseName = "ACME"
			_, err := newClient(t, cfg).Enqueue(context.Background(), msg)
			require.NoError(t, err)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, enqueue.Path, reqs[0].Path)
			q, err := url.ParseQuery(reqs[0].RawQuery)
			require.NoError(t, err)
			assert.Equal(t, "Orders/Inbound EU", q.Get("QueueName"))
			assert.Equal(t, "ACME & Co", q.Get("Sender"))
			assert.Equal(t, "OrderIn", q.Get("InboundInterface"))
			assert.Equal(t, "1.0", q.Get("InboundInterfaceVersion"))
			assert.Equal(t, "ACME", q.Get("InboundQueueEnterpriseName"))
			assert.Equal(t, "java-1", q.Get("Id"))
			assert.Equal(t, "<order id='1'/>", string(reqs[0].Body))
		})
	}
}
