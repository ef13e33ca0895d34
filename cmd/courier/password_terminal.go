package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// prompter asks the operator: passwords without echo, and yes/no questions.
type prompter interface {
	// ReadPassword shows prompt and reads a line without echoing it.
	ReadPassword(prompt string) ([]byte, error)
	// Confirm asks question and reports whether the answer is yes; the default is no.
	Confirm(question string) (bool, error)
}

// terminalPrompter returns the terminal behind standard input, or nil when standard input is
// not one (a pipe, a file, a test): then nothing may be asked, and flags must say everything.
// Questions go to standard error, so that standard output stays the command's result.
func terminalPrompter(s streams) prompter {
	f, ok := s.in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &ttyPrompter{fd: int(f.Fd()), in: bufio.NewReader(f), out: s.err}
}

type ttyPrompter struct {
	fd  int
	in  *bufio.Reader
	out io.Writer
}

func (t *ttyPrompter) ReadPassword(prompt string) ([]byte, error) {
	fmt.Fprint(t.out, prompt)
	pw, err := term.ReadPassword(t.fd)
	fmt.Fprintln(t.out) // the operator's Enter was not echoed
	if err != nil {
		return nil, fmt.Errorf("read the password from the terminal: %w", err)
	}
	return pw, nil
}

func (t *ttyPrompter) Confirm(question string) (bool, error) {
	fmt.Fprintf(t.out, "%s [y/N] ", question)
	line, err := t.in.ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("read the answer from the terminal: %w", err)
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}
