package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mtlscourier/courier/destination"
)

// readData turns --data into the message payload: TEXT as is, @FILE from a
// file (streamed, re-read on retries, never held in memory whole), @- from
// standard input. The returned close func releases the file.
func readData(data string, stdin io.Reader) (destination.Message, func(), error) {
	nothing := func() {}
	switch {
	case data == "@-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return destination.Message{}, nothing, fmt.Errorf("--data @-: read standard input: %w", err)
		}
		return destination.Message{Payload: b}, nothing, nil
	case strings.HasPrefix(data, "@"):
		f, err := os.Open(data[1:])
		if err != nil {
			return destination.Message{}, nothing, fmt.Errorf("--data %s: %w", data, err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return destination.Message{}, nothing, fmt.Errorf("--data %s: %w", data, err)
		}
		if !fi.Mode().IsRegular() {
			// A pipe or device cannot be re-read: read it once.
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return destination.Message{}, nothing, fmt.Errorf("--data %s: %w", data, err)
			}
			return destination.Message{Payload: b}, nothing, nil
		}
		return destination.Message{Body: f, Size: fi.Size()}, func() { f.Close() }, nil
	}
	return destination.Message{Payload: []byte(data)}, nothing, nil
}
