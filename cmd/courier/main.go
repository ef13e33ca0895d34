// Command courier delivers messages to partner HTTPS endpoints protected by
// mutual TLS, as a destination JSON describes them.
//
//	courier send --destination partner.json --data @order.xml
//
// Exit codes: 0 delivered; 1 delivery failed (network, TLS refusal,
// non-2xx); 2 usage or configuration error (bad JSON, keystore unreadable or
// wrong password, expired certificate, ...).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, part of the CLI's interface.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal asks for a clean stop (a dispatcher drains);
		// a second one ends the process at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// streams are the command's standard input and outputs.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// exitError carries an exit code out of a command that has already said
// what went wrong.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// run runs the CLI with args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := streams{in: stdin, out: stdout, err: stderr}
	root := newRootCommand(s)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if ee, ok := errors.AsType[exitError](err); ok {
		return ee.code
	}
	fmt.Fprintf(stderr, "courier: %v\nRun 'courier --help' for usage.\n", err)
	return exitUsage
}

func newRootCommand(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "courier",
		Short:         "Deliver messages to partner HTTPS endpoints protected by mutual TLS",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newSendCommand(s),
		newEnqueueCommand(s),
		newQueueCommand(s),
		newDequeueCommand(s),
		newCheckCommand(s),
		newKeystoreCommand(s),
		newDemoCommand(s),
	)
	return root
}
