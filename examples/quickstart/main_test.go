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
	require.Contains(t, out.String(), "delivered: status 200 in 1 attempt(s)")
	require.Contains(t, out.String(), `message="<order id='42'/>"`)
	require.Contains(t, out.String(), `from client "courier-client"`)
}
