package destinationtest_test

import (
	"crypto/tls"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destinationtest"
)

var errCause = errors.New("cause")

func TestRun(t *testing.T) {
	tests := []struct {
		name        string
		fn          func(tb destinationtest.TB, trace *[]string) error
		wantErr     error
		wantTrace   []string
		wantMessage string
	}{
		{
			name: "returns fn's error after the cleanups, last first",
			fn: func(tb destinationtest.TB, trace *[]string) error {
				tb.Cleanup(func() { *trace = append(*trace, "first") })
				tb.Cleanup(func() { *trace = append(*trace, "second") })
				return errCause
			},
			wantErr:   errCause,
			wantTrace: []string{"second", "first"},
		},
		{
			name: "Fatalf ends fn and keeps %w",
			fn: func(tb destinationtest.TB, trace *[]string) error {
				tb.Cleanup(func() { *trace = append(*trace, "cleanup") })
				tb.Fatalf("setup: %w", errCause)
				*trace = append(*trace, "after Fatalf")
				return nil
			},
			wantErr:     errCause,
			wantTrace:   []string{"cleanup"},
			wantMessage: "setup: cause",
		},
		{
			name: "Fatalf in a cleanup does not skip the others",
			fn: func(tb destinationtest.TB, trace *[]string) error {
				tb.Cleanup(func() { *trace = append(*trace, "first") })
				tb.Cleanup(func() { tb.Fatalf("cleanup: %w", errCause) })
				tb.Cleanup(func() { *trace = append(*trace, "third") })
				return nil
			},
			wantErr:   errCause,
			wantTrace: []string{"third", "first"},
		},
		{
			name:    "success",
			fn:      func(destinationtest.TB, *[]string) error { return nil },
			wantErr: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var trace []string
			err := destinationtest.Run(func(tb destinationtest.TB) error { return tt.fn(tb, &trace) })
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
			if tt.wantMessage != "" {
				assert.EqualError(t, err, tt.wantMessage)
			}
			assert.Equal(t, tt.wantTrace, trace)
		})
	}
}

func TestRunTempDirIsRemoved(t *testing.T) {
	var dirs []string
	err := destinationtest.Run(func(tb destinationtest.TB) error {
		dirs = append(dirs, tb.TempDir(), tb.TempDir())
		for _, d := range dirs {
			if _, err := os.Stat(d); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Len(t, dirs, 2)
	assert.NotEqual(t, dirs[0], dirs[1])
	for _, d := range dirs {
		_, err := os.Stat(d)
		assert.ErrorIs(t, err, fs.ErrNotExist)
	}
}

func TestRunWithServer(t *testing.T) {
	var url string
	err := destinationtest.Run(func(tb destinationtest.TB) error {
		s := destinationtest.NewServer(tb)
		url = s.URL
		status, _, err := get(t, newClient(t, s, clientOptions{identity: s.ClientIdentity(tb)}), s.URL)
		if err != nil {
			return err
		}
		assert.Equal(t, 200, status)
		return nil
	})
	require.NoError(t, err)
	_, _, err = get(t, &httpClientNoVerify, url)
	require.Error(t, err, "the server is closed when Run returns")
}

// httpClientNoVerify only checks whether anything listens.
var httpClientNoVerify = http.Client{Transport: &http.Transport{
	TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // a probe of a closed port
}}
