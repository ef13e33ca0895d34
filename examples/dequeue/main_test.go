package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	require.Contains(t, out.String(), "queued 100 messages in outbox.db")
	require.Contains(t, out.String(), "dispatched: 100 delivered, 0 rescheduled, 0 dead")
	require.Contains(t, out.String(), "server received 100 requests, 100 distinct message IDs")
}
