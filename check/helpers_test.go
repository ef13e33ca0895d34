package check_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/check"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// quickAccept shortens the wait for a TLS 1.3 server's verdict, for tests
// in which the server accepts us: silence is the verdict, so the whole wait
// would be spent. Tests that expect a refusal keep the default, which the
// refusal cuts short.
var quickAccept = check.WithProbeWait(100 * time.Millisecond)

// longLived issues certificates valid for 90 days, so that no expiry warning
// gets in the way.
func longLived() destinationtest.IssueOption {
	now := time.Now()
	return destinationtest.ValidBetween(now.Add(-time.Hour), now.Add(90*24*time.Hour))
}

// newServer starts a mutual-TLS server whose certificates live 90 days,
// and returns it with a destination whose client certificate (also 90
// days) it accepts.
func newServer(t *testing.T, opts ...destinationtest.ServerOption) (*destinationtest.Server, *destination.Config) {
	t.Helper()
	ca := destinationtest.NewCA(t)
	opts = append([]destinationtest.ServerOption{
		destinationtest.WithCA(ca),
		destinationtest.WithServerIdentity(ca.IssueServerWith(t, nil, longLived())),
	}, opts...)
	srv := destinationtest.NewServer(t, opts...)
	client := ca.IssueClient(t, destinationtest.ClientCommonName, longLived())
	return srv, srv.Destination(t, destinationtest.WithIdentity(client))
}

// closedPortURL returns an https URL on loopback where nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "https://" + addr + "/in"
}

// requireShape checks what every report must hold: every check once, in
// order; a reason on failures only; the report's reason from the first.
func requireShape(t *testing.T, rep check.Report) {
	t.Helper()
	require.Len(t, rep.Checks, len(check.Names))
	first := destination.ReasonOK
	for i, c := range rep.Checks {
		assert.Equal(t, check.Names[i], c.Name)
		assert.NotEmpty(t, c.Message, c.Name)
		assert.NotNil(t, c.Detail, c.Name)
		if c.Status == check.Fail {
			assert.NotEmpty(t, c.Reason, c.Name)
			if first == destination.ReasonOK {
				first = c.Reason
			}
		} else {
			assert.Empty(t, c.Reason, c.Name)
		}
	}
	assert.Equal(t, first, rep.Reason)
	assert.Equal(t, first == destination.ReasonOK, rep.OK())
}

// find returns the named check's result.
func find(t *testing.T, rep check.Report, name string) check.Result {
	t.Helper()
	res, ok := rep.Find(name)
	require.True(t, ok, "no %s check", name)
	return res
}

// statuses maps each check's name to its status.
func statuses(rep check.Report) map[string]check.Status {
	m := make(map[string]check.Status, len(rep.Checks))
	for _, c := range rep.Checks {
		m[c.Name] = c.Status
	}
	return m
}

// joined is a result's message and details, for looking for a phrase.
func joined(res check.Result) string {
	s := res.Message
	for _, d := range res.Detail {
		s += "\n" + d
	}
	return s
}

func runCheck(t *testing.T, cfg *destination.Config, opts ...check.Option) check.Report {
	t.Helper()
	rep := check.Run(context.Background(), cfg, opts...)
	requireShape(t, rep)
	return rep
}
