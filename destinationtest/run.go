package destinationtest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
)

// Run runs fn with a TB for programs that are not tests, such as examples
// and `courier demo`, so they can use NewServer and NewCA outside go test.
//
// The TB behaves like testing's: TempDir makes a new folder under
// os.MkdirTemp and removes it afterwards; Cleanup functions run in last
// added, first called order after fn returns; Fatalf records the error and
// ends fn's goroutine with runtime.Goexit, so Fatalf must be called from
// that goroutine. Run returns fn's error joined with any Fatalf error.
func Run(fn func(tb TB) error) error {
	tb := &runTB{}
	var fnErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Deferred calls run on runtime.Goexit too, so the cleanups run
		// whether fn returns or calls Fatalf.
		defer tb.runCleanups()
		fnErr = fn(tb)
	}()
	<-done
	return errors.Join(fnErr, tb.err())
}

// runTB is the TB of Run.
type runTB struct {
	mu       sync.Mutex
	cleanups []func()
	errs     []error
}

// Helper does nothing: there is no test log to attribute lines in.
func (t *runTB) Helper() {}

// Fatalf records the formatted error (%w wraps) and ends the goroutine.
func (t *runTB) Fatalf(format string, args ...any) {
	t.fatalErr(fmt.Errorf(format, args...))
}

func (t *runTB) fatalErr(err error) {
	t.mu.Lock()
	t.errs = append(t.errs, err)
	t.mu.Unlock()
	runtime.Goexit()
}

// TempDir returns a new folder, removed when the cleanups run.
func (t *runTB) TempDir() string {
	dir, err := os.MkdirTemp("", "destinationtest-")
	if err != nil {
		t.Fatalf("destinationtest: make a temporary folder: %w", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// Cleanup registers f to run after fn returns.
func (t *runTB) Cleanup(f func()) {
	t.mu.Lock()
	t.cleanups = append(t.cleanups, f)
	t.mu.Unlock()
}

// runCleanups calls the cleanups last first. Each call defers the next, so a
// cleanup that calls Fatalf (and so runtime.Goexit) does not skip the rest.
func (t *runTB) runCleanups() {
	t.mu.Lock()
	if len(t.cleanups) == 0 {
		t.mu.Unlock()
		return
	}
	f := t.cleanups[len(t.cleanups)-1]
	t.cleanups = t.cleanups[:len(t.cleanups)-1]
	t.mu.Unlock()
	defer t.runCleanups()
	f()
}

func (t *runTB) err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return errors.Join(t.errs...)
}
