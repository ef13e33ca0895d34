package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// runCLI runs courier with args and returns its exit code and outputs.
func runCLI(t *testing.T, stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, stdin, &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeDestination writes a relaxed-JSON destination for cfg and returns its path.
func writeDestination(t *testing.T, cfg *destination.Config, extra string) string {
	t.Helper()
	doc := fmt.Sprintf(`{url: '%s', keystoreFile: '%s', keystorePass: 'changeit',
  truststoreFile: '%s', truststorePass: 'changeit',
  retry: {maxAttempts: 3, waitMin: '1ms', waitMax: '5ms'}, %s}`,
		cfg.URL, cfg.KeystoreFile, cfg.TruststoreFile, extra)
	path := filepath.Join(t.TempDir(), "partner.json")
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
	return path
}

func decodeReport(t *testing.T, stdout string) report {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var r report
	require.NoError(t, dec.Decode(&r), "stdout: %q", stdout)
	assert.False(t, dec.More(), "exactly one JSON object on stdout")
	return r
}

func TestSendPrintsBodyAndOneLine(t *testing.T) {
	srv := destinationtest.NewServer(t)
	path := writeDestination(t, srv.Destination(t), "")

	code, stdout, stderr := runCLI(t, nil, "send", "--destination", path, "--data", "hello", "--id", "order-42")
	assert.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "ok", stdout)
	assert.Regexp(t, `^delivered: status 200, 1 attempt, \S+, id order-42\n$`, stderr)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "hello", string(reqs[0].Body))
	assert.Equal(t, "order-42", reqs[0].Header.Get("Idempotency-Key"))
}

func TestSendJSON(t *testing.T) {
	srv := destinationtest.NewServer(t)
	srv.FailNext(1, http.StatusServiceUnavailable, "0")
	path := writeDestination(t, srv.Destination(t), "")

	code, stdout, _ := runCLI(t, nil, "send", "--destination", path, "--data", "x", "--json")
	assert.Equal(t, exitOK, code)
	r := decodeReport(t, stdout)
	assert.True(t, r.OK)
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, 2, r.Attempts)
	assert.Equal(t, "ok", r.Reason)
	assert.Empty(t, r.Error)
	assert.Len(t, r.ID, 36)
	assert.GreaterOrEqual(t, r.DurationMs, int64(0))
}

func TestSendDataSources(t *testing.T) {
	file := filepath.Join(t.TempDir(), "order.xml")
	require.NoError(t, os.WriteFile(file, []byte("<order from='file'/>"), 0o600))
	tests := []struct {
		name  string
		data  string
		stdin string
		want  string
	}{
		{name: "text", data: "plain", want: "plain"},
		{name: "file", data: "@" + file, want: "<order from='file'/>"},
		{name: "stdin", data: "@-", stdin: "from stdin", want: "from stdin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t)
			path := writeDestination(t, srv.Destination(t), "")
			code, _, stderr := runCLI(t, strings.NewReader(tt.stdin), "send", "--destination", path, "--data", tt.data)
			require.Equal(t, exitOK, code, stderr)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.want, string(reqs[0].Body))
		})
	}
}

func TestSendExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(t *testing.T, srv *destinationtest.Server) []string
		wantCode   int
		wantReason destination.Reason
	}{
		{
			name: "non-2xx is a failed delivery",
			setup: func(t *testing.T, srv *destinationtest.Server) []string {
				srv.FailNext(2, http.StatusBadRequest, "") // one for each run below
				return []string{"--destination", writeDestination(t, srv.Destination(t), "")}
			},
			wantCode: exitFailed, wantReason: destination.ReasonHTTPStatus,
		},
		{
			name: "refused certificate is a failed delivery",
			setup: func(t *testing.T, srv *destinationtest.Server) []string {
				cfg := srv.Destination(t, destinationtest.WithIdentity(destinationtest.NewCA(t).IssueClient(t, "rogue")))
				return []string{"--destination", writeDestination(t, cfg, "")}
			},
			wantCode: exitFailed, wantReason: destination.ReasonClientCertRejected,
		},
		{
			name: "bad JSON is a configuration error",
			setup: func(t *testing.T, _ *destinationtest.Server) []string {
				path := filepath.Join(t.TempDir(), "bad.json")
				require.NoError(t, os.WriteFile(path, []byte("{url: 'https://x',,}"), 0o600))
				return []string{"--destination", path}
			},
			wantCode: exitUsage, wantReason: destination.ReasonConfigInvalid,
		},
		{
			name: "missing file is a configuration error",
			setup: func(t *testing.T, _ *destinationtest.Server) []string {
				return []string{"--destination", filepath.Join(t.TempDir(), "absent.json")}
			},
			wantCode: exitUsage, wantReason: destination.ReasonConfigInvalid,
		},
		{
			name: "wrong password is a configuration error",
			setup: func(t *testing.T, srv *destinationtest.Server) []string {
				path := writeDestination(t, srv.Destination(t), "")
				b, err := os.ReadFile(path)
				require.NoError(t, err)
				b = bytes.Replace(b, []byte("keystorePass: 'changeit'"), []byte("keystorePass: 'Hunter2-secret'"), 1)
				require.NoError(t, os.WriteFile(path, b, 0o600))
				return []string{"--destination", path}
			},
			wantCode: exitUsage, wantReason: destination.ReasonKeystorePassword,
		},
		{
			name: "unreadable --data file is a usage error",
			setup: func(t *testing.T, srv *destinationtest.Server) []string {
				return []string{"--destination", writeDestination(t, srv.Destination(t), ""), "--data", "@/nonexistent/file"}
			},
			wantCode: exitUsage, wantReason: destination.ReasonConfigInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t)
			args := append([]string{"send", "--json"}, tt.setup(t, srv)...)
			code, stdout, stderr := runCLI(t, nil, args...)
			assert.Equal(t, tt.wantCode, code, stderr)
			r := decodeReport(t, stdout)
			assert.False(t, r.OK)
			assert.Equal(t, string(tt.wantReason), r.Reason)
			assert.NotEmpty(t, r.Error)
			assert.NotContains(t, stdout+stderr, "Hunter2-secret")

			// Without --json: the same exit code, and the reason on stderr.
			code, _, stderr = runCLI(t, nil, append([]string{"send"}, args[2:]...)...)
			assert.Equal(t, tt.wantCode, code)
			assert.Contains(t, stderr, string(tt.wantReason))
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no destination", []string{"send"}},
		{"unknown flag", []string{"send", "--destination", "x.json", "--nope"}},
		{"unknown command", []string{"deliver"}},
		{"stray argument", []string{"send", "--destination", "x.json", "extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tt.args...)
			assert.Equal(t, exitUsage, code)
			assert.NotEmpty(t, stderr)
		})
	}
}

func TestSendDataRefusesWhatCannotBeStreamed(t *testing.T) {
	srv := destinationtest.NewServer(t)
	path := writeDestination(t, srv.Destination(t), "")
	for _, data := range []string{"@", "@" + t.TempDir(), "@/dev/zero"} {
		code, stdout, _ := runCLI(t, nil, "send", "--destination", path, "--data", data, "--json")
		assert.Equal(t, exitUsage, code, data)
		r := decodeReport(t, stdout)
		assert.Equal(t, "config_invalid", r.Reason, data)
		assert.Contains(t, r.Error, "--data", data)
	}
	assert.Empty(t, srv.Requests())
}

func TestSendStdinStopsOnCancel(t *testing.T) {
	srv := destinationtest.NewServer(t)
	path := writeDestination(t, srv.Destination(t), "")
	pr, pw := io.Pipe() // a standard input nobody ever writes to
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"send", "--destination", path, "--data", "@-"}, pr, &out, &errOut)
	assert.NotEqual(t, exitOK, code)
	assert.Contains(t, errOut.String(), "interrupted")
	assert.Empty(t, srv.Requests())
}

func TestDestinationMustBeARegularFile(t *testing.T) {
	code, stdout, _ := runCLI(t, nil, "send", "--destination", t.TempDir(), "--data", "x", "--json")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, decodeReport(t, stdout).Error, "not a regular file")
}
