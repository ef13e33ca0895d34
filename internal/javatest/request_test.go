package javatest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRequest(t *testing.T) {
	// As MtlsServer prints it: header bytes decoded as ISO-8859-1 and escaped.
	line := `{"method":"POST","path":"/a%20b","rawQuery":"x=1","headers":{"Content-length":["2"],"X-t":["\u00c3\u00a9","two"]},` +
		`"body":"aGk=","clientSubject":"CN=c,O=\"Q\"","protocol":"TLSv1.2"}`

	got, err := parseRequest([]byte(line))
	require.NoError(t, err)
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "/a%20b", got.Path)
	assert.Equal(t, "x=1", got.RawQuery)
	assert.Equal(t, "2", got.Header.Get("Content-Length"))
	assert.Equal(t, []string{"é", "two"}, got.Header.Values("X-T"))
	assert.Equal(t, []byte("hi"), got.Body)
	assert.Equal(t, `CN=c,O="Q"`, got.ClientSubject)
	assert.Equal(t, "TLSv1.2", got.Protocol)
}

func TestParseRequestMalformed(t *testing.T) {
	_, err := parseRequest([]byte(`{"method":`))
	var syntax *json.SyntaxError
	require.ErrorAs(t, err, &syntax)
}

func TestLatin1Bytes(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "ascii", in: "plain", want: "plain"},
		{name: "utf-8 bytes seen as latin-1", in: "\u00c3\u00a9", want: "é"},
		{name: "beyond latin-1 is kept", in: "€", want: "€"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, latin1Bytes(tt.in))
		})
	}
}

func TestRequestsAreCopies(t *testing.T) {
	s := &Server{changed: make(chan struct{})}
	s.record([]byte(`REQUEST {"method":"GET","headers":{"A":["1"]},"body":"aGk="}`))

	first := s.Requests()
	first[0].Header.Set("A", "changed")
	first[0].Body[0] = 'X'
	again := s.Requests()
	assert.Equal(t, "1", again[0].Header.Get("A"))
	assert.Equal(t, []byte("hi"), again[0].Body)
}

func TestWaitReportsMalformedLine(t *testing.T) {
	s := &Server{changed: make(chan struct{}), done: make(chan struct{})}
	s.record([]byte(`REQUEST not json`))

	_, err := s.WaitForRequests(context.Background(), 1)
	var syntax *json.SyntaxError
	require.ErrorAs(t, err, &syntax)
}

func TestWaitReportsExit(t *testing.T) {
	s := &Server{changed: make(chan struct{}), done: make(chan struct{})}
	s.record([]byte(`HANDSHAKE_FAILED Empty client certificate chain`))
	close(s.done)

	got, err := s.WaitForHandshakeFailures(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"Empty client certificate chain"}, got)
	_, err = s.WaitForHandshakeFailures(context.Background(), 2)
	require.ErrorIs(t, err, errExited)
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	b := &tailBuffer{max: 4}
	_, err := b.Write([]byte("abc"))
	require.NoError(t, err)
	_, err = b.Write([]byte("def"))
	require.NoError(t, err)
	assert.Equal(t, "cdef", b.String())
}

func TestCompileReusesClasses(t *testing.T) {
	if !Available() {
		t.Skip("java and javac are not on PATH")
	}
	root := t.TempDir()
	dir, err := compile(context.Background(), root)
	require.NoError(t, err)
	class := filepath.Join(dir, mainClass+".class")
	before, err := os.Stat(class)
	require.NoError(t, err)

	again, err := compile(context.Background(), root)
	require.NoError(t, err)
	assert.Equal(t, dir, again)
	after, err := os.Stat(class)
	require.NoError(t, err)
	assert.Equal(t, before.ModTime(), after.ModTime(), "classes must be reused, not rebuilt")
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no build dir may be left behind")
}
