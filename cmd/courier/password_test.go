package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTerminal answers prompts from a script.
type fakeTerminal struct {
	passwords []string
	prompts   []string
}

func (f *fakeTerminal) ReadPassword(prompt string) ([]byte, error) {
	f.prompts = append(f.prompts, prompt)
	if len(f.passwords) == 0 {
		return nil, errors.New("no more input")
	}
	pw := f.passwords[0]
	f.passwords = f.passwords[1:]
	return []byte(pw), nil
}

func (f *fakeTerminal) Confirm(string) (bool, error) { return false, nil }

// newPasswordSource registers the flags on a throwaway command and parses args.
func newPasswordSource(t *testing.T, args ...string) *passwordSource {
	t.Helper()
	cmd := &cobra.Command{Use: "x"}
	p := addPasswordFlags(cmd, "pass", "the store password")
	require.NoError(t, cmd.ParseFlags(args))
	return p
}

func writePassFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pass")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestPasswordSourceFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
		wantErr string
	}{
		{name: "trailing newline ignored", content: "s3cret\n", want: "s3cret"},
		{name: "CRLF ignored", content: "s3cret\r\n", want: "s3cret"},
		{name: "no newline", content: "s3cret", want: "s3cret"},
		{name: "only one newline ignored", content: "s3cret\n\n", want: "s3cret\n"},
		{name: "spaces kept", content: " s3cret \n", want: " s3cret "},
		{name: "empty", content: "\n", wantErr: "is empty"},
		{name: "too large", content: strings.Repeat("x", 5000), wantErr: "larger than 4096 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPasswordSource(t, "--pass-file", writePassFile(t, tt.content))
			pw, err := p.read(nil, "the store password of x.jks", askOnce)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(pw))
		})
	}
}

func TestPasswordSourceMissingFile(t *testing.T) {
	p := newPasswordSource(t, "--pass-file", filepath.Join(t.TempDir(), "missing"))
	_, err := p.read(nil, "the password", askOnce)
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "--pass-file")
}

func TestPasswordSourceEnv(t *testing.T) {
	t.Setenv("COURIER_TEST_PASS", "from-env")
	t.Setenv("COURIER_TEST_EMPTY", "")
	tests := []struct {
		name    string
		env     string
		want    string
		wantErr string
	}{
		{name: "set", env: "COURIER_TEST_PASS", want: "from-env"},
		{name: "unset", env: "COURIER_TEST_UNSET", wantErr: "environment variable COURIER_TEST_UNSET is not set"},
		{name: "empty", env: "COURIER_TEST_EMPTY", wantErr: "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPasswordSource(t, "--pass-env", tt.env)
			pw, err := p.read(&fakeTerminal{passwords: []string{"never asked"}}, "the password", askOnce)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(pw))
		})
	}
}

func TestPasswordSourceFlagsExclusive(t *testing.T) {
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	addPasswordFlags(cmd, "pass", "the store password")
	cmd.SetArgs([]string{"--pass-env", "A", "--pass-file", "B"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.Execute()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "none of the others can be")
}

func TestPasswordSourcePrompt(t *testing.T) {
	tests := []struct {
		name        string
		mode        promptMode
		typed       []string
		want        string
		wantPrompts int
		wantErr     string
	}{
		{name: "once", mode: askOnce, typed: []string{"typed"}, want: "typed", wantPrompts: 1},
		{name: "confirmed", mode: askConfirm, typed: []string{"typed", "typed"}, want: "typed", wantPrompts: 2},
		{name: "confirmation differs", mode: askConfirm, typed: []string{"typed", "tpyed"}, wantPrompts: 2, wantErr: "the two passwords differ"},
		{name: "empty", mode: askOnce, typed: []string{""}, wantPrompts: 1, wantErr: "is empty"},
		{name: "terminal fails", mode: askConfirm, typed: []string{"typed"}, wantPrompts: 2, wantErr: "no more input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			term := &fakeTerminal{passwords: tt.typed}
			pw, err := newPasswordSource(t).read(term, "the password of the new store x.jks", tt.mode)
			assert.Len(t, term.prompts, tt.wantPrompts)
			assert.Equal(t, "Enter the password of the new store x.jks: ", term.prompts[0])
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "typed")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(pw))
		})
	}
}

func TestPasswordSourceWithoutTerminal(t *testing.T) {
	_, err := newPasswordSource(t).read(nil, "the store password of x.jks", askOnce)
	require.Error(t, err)
	assert.Equal(t, "the store password of x.jks is needed and there is no terminal to ask on: give --pass-env VAR or --pass-file FILE", err.Error())
}

func TestTerminalPrompterNeedsATerminal(t *testing.T) {
	assert.Nil(t, terminalPrompter(streams{in: strings.NewReader("")}))
	f, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer f.Close()
	assert.Nil(t, terminalPrompter(streams{in: f}), "a file is not a terminal")
}

func TestTTYConfirm(t *testing.T) {
	tests := []struct {
		answer string
		want   bool
	}{
		{"y\n", true}, {"YES\n", true}, {" yes \n", true}, {"n\n", false}, {"\n", false}, {"yep\n", false}, {"y", true},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		term := &ttyPrompter{in: bufio.NewReader(strings.NewReader(tt.answer)), out: &out}
		got, err := term.Confirm("Trust 2 certificates in trust.jks?")
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "answer %q", tt.answer)
		assert.Equal(t, "Trust 2 certificates in trust.jks? [y/N] ", out.String())
	}
	_, err := (&ttyPrompter{in: bufio.NewReader(strings.NewReader("")), out: &bytes.Buffer{}}).Confirm("?")
	require.Error(t, err, "end of input is no answer")
}
