package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// passwordSource is where one password comes from: --NAME-env VAR or --NAME-file FILE, else a
// no-echo prompt on the terminal. Passwords never come from a flag's value (it would sit in
// the shell history and in ps), and courier never prints one.
//
// Register it with addPasswordFlags, then call read; the caller zeroes what read returns.
type passwordSource struct {
	name string // the flags' prefix: "pass" for --pass-env and --pass-file
	env  string // --NAME-env: the environment variable that holds the password
	file string // --NAME-file: the file that holds it, one trailing newline ignored
}

// addPasswordFlags registers --NAME-env and --NAME-file on cmd; what says whose password it
// is, for the help ("the store password").
func addPasswordFlags(cmd *cobra.Command, name, what string) *passwordSource {
	p := &passwordSource{name: name}
	cmd.Flags().StringVar(&p.env, name+"-env", "", "environment variable that holds "+what)
	cmd.Flags().StringVar(&p.file, name+"-file", "", "file that holds "+what+" (one trailing newline is ignored)")
	cmd.MarkFlagsMutuallyExclusive(name+"-env", name+"-file")
	return p
}

// given reports whether a flag names the password.
func (p *passwordSource) given() bool { return p.env != "" || p.file != "" }

// flags names the two flags, for messages.
func (p *passwordSource) flags() string {
	return fmt.Sprintf("--%s-env VAR or --%s-file FILE", p.name, p.name)
}

// promptMode says how read asks on a terminal.
type promptMode int

const (
	askOnce    promptMode = iota // an existing store's password
	askConfirm                   // a new password: asked twice, and both must match
)

// read returns the password from the flags, else from a prompt on term (nil when there is no
// terminal, which makes it a usage error naming the flags). subject says whose password it is
// ("the store password of client.jks"). Empty passwords are refused: Java's stores need one.
func (p *passwordSource) read(term prompter, subject string, mode promptMode) ([]byte, error) {
	var (
		pw  []byte
		err error
	)
	switch {
	case p.env != "":
		pw, err = p.fromEnv()
	case p.file != "":
		pw, err = p.fromFile()
	case term == nil:
		return nil, fmt.Errorf("%s is needed and there is no terminal to ask on: give %s", subject, p.flags())
	default:
		pw, err = askPassword(term, subject, mode)
	}
	if err != nil {
		return nil, err
	}
	if len(pw) == 0 {
		return nil, fmt.Errorf("%s is empty: Java keystores need a password", subject)
	}
	return pw, nil
}

func (p *passwordSource) fromEnv() ([]byte, error) {
	v, ok := os.LookupEnv(p.env)
	if !ok {
		return nil, fmt.Errorf("--%s-env: environment variable %s is not set", p.name, p.env)
	}
	return []byte(v), nil
}

// maxPasswordFile bounds what --NAME-file reads: a password, not a keystore given by mistake.
const maxPasswordFile = 4096

func (p *passwordSource) fromFile() ([]byte, error) {
	data, err := os.ReadFile(p.file)
	if err != nil {
		return nil, fmt.Errorf("--%s-file: %w", p.name, err)
	}
	if len(data) > maxPasswordFile {
		clear(data)
		return nil, fmt.Errorf("--%s-file %s: larger than %d bytes, so not a password file", p.name, p.file, maxPasswordFile)
	}
	pw := bytes.TrimSuffix(data, []byte("\n"))
	pw = bytes.TrimSuffix(pw, []byte("\r"))
	return pw, nil // pw shares data's memory: zeroing it zeroes the file's copy
}

// askPassword asks on the terminal, twice for a new password.
func askPassword(term prompter, subject string, mode promptMode) ([]byte, error) {
	pw, err := term.ReadPassword(fmt.Sprintf("Enter %s: ", subject))
	if err != nil || mode != askConfirm {
		return pw, err
	}
	again, err := term.ReadPassword(fmt.Sprintf("Enter %s again: ", subject))
	defer clear(again)
	if err != nil {
		clear(pw)
		return nil, err
	}
	if !bytes.Equal(pw, again) {
		clear(pw)
		return nil, errors.New("the two passwords differ: nothing was written")
	}
	return pw, nil
}
