package dequeue_test

import (
	"fmt"
	"os"
	"testing"
)

// TestMain doubles as the child processes that the crash and multi-process
// tests start: the test binary re-executed with an environment variable
// saying what to do.
func TestMain(m *testing.M) {
	if mode := os.Getenv(crashModeEnv); mode != "" {
		exitWith(crashChildMain(mode), "crash child")
	}
	if mode := os.Getenv("COURIER_DEQUEUE_HELPER"); mode != "" {
		args := os.Args
		for len(args) > 0 && args[0] != "--" {
			args = args[1:]
		}
		exitWith(helper(mode, args[1:]), "helper")
	}
	os.Exit(m.Run())
}

func exitWith(err error, who string) {
	if err != nil {
		fmt.Fprintln(os.Stderr, who+":", err)
		os.Exit(1)
	}
	os.Exit(0)
}
