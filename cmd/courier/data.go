package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/destination"
)

// maxInMemoryData caps a payload read from standard input, which cannot be
// re-read and so is held in memory: larger payloads go in a file (@FILE),
// which is streamed.
const maxInMemoryData = 64 << 20

// readData turns --data into the message payload: TEXT as is, @FILE from a
// regular file (streamed, re-read on retries, never held in memory whole),
// @- from standard input (up to 64 MiB). The returned func releases the file.
// Reading stops when ctx ends.
func readData(ctx context.Context, data string, stdin io.Reader) (destination.Message, func(), error) {
	nothing := func() {}
	switch {
	case data == "@-":
		b, err := readAllCtx(ctx, stdin, maxInMemoryData)
		if err != nil {
			return destination.Message{}, nothing, fmt.Errorf("--data @-: standard input: %w", err)
		}
		return destination.Message{Payload: b}, nothing, nil
	case data == "@":
		return destination.Message{}, nothing, errors.New("--data @ needs a file name (@order.xml), or @- for standard input")
	case strings.HasPrefix(data, "@"):
		return openData(data[1:])
	}
	return destination.Message{Payload: []byte(data)}, nothing, nil
}

// openData opens a regular file to stream as the payload. A pipe, device or
// folder is refused: it could block, never end, or not be re-read.
func openData(path string) (destination.Message, func(), error) {
	nothing := func() {}
	fi, err := os.Stat(path)
	if err != nil {
		return destination.Message{}, nothing, fmt.Errorf("--data @%s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return destination.Message{}, nothing, fmt.Errorf("--data @%s: not a regular file; pipe it with --data @- instead", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return destination.Message{}, nothing, fmt.Errorf("--data @%s: %w", path, err)
	}
	return destination.Message{Body: f, Size: fi.Size()}, func() { f.Close() }, nil
}

// readAllCtx reads r whole, up to limit bytes, returning early when ctx ends
// (a read from a terminal blocks until the user types; Ctrl-C must still
// work).
func readAllCtx(ctx context.Context, r io.Reader, limit int64) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(r, limit+1))
		done <- result{b, err}
	}()
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("interrupted: %w", ctx.Err())
	case res := <-done:
		if res.err == nil && int64(len(res.b)) > limit {
			return nil, fmt.Errorf("more than %d MiB: put the payload in a file and pass --data @FILE (files are streamed)", limit>>20)
		}
		return res.b, res.err
	}
}

// warnNoData says so when --data was not given at all: an empty message is
// more often a forgotten flag than an intent (give --data ” to mean it).
func warnNoData(cmd *cobra.Command, s streams) {
	if !cmd.Flags().Changed("data") {
		fmt.Fprintln(s.err, "courier: no --data given: the payload is empty (pass --data '' to say so and silence this)")
	}
}
