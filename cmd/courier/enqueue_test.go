package main

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destinationtest"
)

func TestEnqueueCommand(t *testing.T) {
	srv := destinationtest.NewServer(t)
	path := writeDestination(t, srv.Destination(t), "")

	code, stdout, stderr := runCLI(t, nil, "enqueue", "--destination", path,
		"--queue", "Orders/In", "--sender", "ACME", "--interface", "OrderIn", "--interface-version", "2",
		"--enterprise", "ACME EU", "--data", "<o/>", "--json")
	require.Equal(t, exitOK, code, stderr)
	r := decodeReport(t, stdout)
	assert.True(t, r.OK)
	assert.Equal(t, "ok", r.Reason)
	require.Len(t, r.ID, 36)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/oms/rest/queue/enqueue", reqs[0].Path)
	q, err := url.ParseQuery(reqs[0].RawQuery)
	require.NoError(t, err)
	assert.Equal(t, url.Values{
		"QueueName": {"Orders/In"}, "Sender": {"ACME"}, "InboundInterface": {"OrderIn"},
		"InboundInterfaceVersion": {"2"}, "InboundQueueEnterpriseName": {"ACME EU"}, "Id": {r.ID},
	}, q)
	assert.Equal(t, "<o/>", string(reqs[0].Body))
}

func TestEnqueueCommandNamesMissingArguments(t *testing.T) {
	srv := destinationtest.NewServer(t)
	path := writeDestination(t, srv.Destination(t), "")

	code, stdout, _ := runCLI(t, nil, "enqueue", "--destination", path, "--queue", "Q", "--data", "x", "--json")
	assert.Equal(t, exitUsage, code)
	r := decodeReport(t, stdout)
	assert.Equal(t, "config_invalid", r.Reason)
	assert.Contains(t, r.Error, "--sender is required")
	assert.Contains(t, r.Error, "--interface is required")
	assert.Contains(t, r.Error, "--interface-version is required")
	assert.Empty(t, srv.Requests())
}
