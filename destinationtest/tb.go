package destinationtest

// TB is the part of testing.TB destinationtest uses; *testing.T, *testing.B
// and *testing.F satisfy it, and so does the TB that Run hands to programs.
//
// Like testing.TB, its Fatalf must be called from the goroutine running the
// test: destinationtest only calls it from the functions you call.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	TempDir() string
	Cleanup(func())
}

// errorFataler is implemented by the TB of Run, which keeps the error itself
// (so callers can use errors.Is on it) instead of its text.
type errorFataler interface {
	fatalErr(err error)
}

// fatal ends the test with err, which already starts with "destinationtest:".
// testing.T's Fatalf formats with Sprintf, where %w would print as %!w, so
// the error goes through %v unless tb can keep it whole.
func fatal(tb TB, err error) {
	tb.Helper()
	if f, ok := tb.(errorFataler); ok {
		f.fatalErr(err)
	}
	tb.Fatalf("%v", err)
}
