//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package dequeue

import (
	"fmt"
	"os"
	"runtime"
)

// lockFile is not available here: dispatching from a queue file needs
// flock, so that a dead dispatcher's lock is released by the kernel.
func lockFile(string) (*os.File, error) {
	return nil, fmt.Errorf("dispatch locks are not supported on %s: run courier dequeue on Linux, macOS or a BSD", runtime.GOOS)
}

func unlockFile(f *os.File) error { return f.Close() }
