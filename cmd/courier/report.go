package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// report is the one JSON object `--json` prints. Its field names are part of
// the CLI's interface.
type report struct {
	OK         bool   `json:"ok"`
	Status     int    `json:"status"`
	Attempts   int    `json:"attempts"`
	ID         string `json:"id"`
	DurationMs int64  `json:"durationMs"`
	Reason     string `json:"reason"`
	Error      string `json:"error"`
}

func newReport(res destination.Result, err error) report {
	r := report{
		OK:         err == nil,
		Status:     res.Status,
		Attempts:   res.Attempts,
		ID:         res.ID,
		DurationMs: res.Duration.Milliseconds(),
		Reason:     string(destination.ReasonOf(err)),
	}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

// exitCode maps a delivery's outcome to the CLI's exit codes: what the
// operator must fix in the configuration is 2, what went wrong on the way
// is 1.
func exitCode(err error) int {
	switch destination.ReasonOf(err) {
	case destination.ReasonOK:
		return exitOK
	case destination.ReasonConfigInvalid, destination.ReasonKeystoreUnreadable, destination.ReasonKeystorePassword,
		destination.ReasonKeyNotFound, destination.ReasonCertExpired:
		return exitUsage
	}
	return exitFailed
}

// printOutcome writes the outcome: --json as one object on stdout; otherwise
// the response body on stdout and one human line on stderr.
func printOutcome(s streams, asJSON bool, verb string, res destination.Result, err error) error {
	if asJSON {
		enc := json.NewEncoder(s.out)
		if encErr := enc.Encode(newReport(res, err)); encErr != nil {
			return encErr
		}
	} else {
		if len(res.Body) > 0 {
			_, _ = s.out.Write(res.Body)
		}
		fmt.Fprintln(s.err, humanLine(verb, res, err))
	}
	if code := exitCode(err); code != exitOK {
		return exitError{code: code}
	}
	return nil
}

func humanLine(verb string, res destination.Result, err error) string {
	took := res.Duration.Round(time.Millisecond)
	if err == nil {
		return fmt.Sprintf("%s: status %d, %s, %s, id %s", verb, res.Status, plural(res.Attempts, "attempt"), took, res.ID)
	}
	line := "failed: " + err.Error()
	if !strings.Contains(line, string(destination.ReasonOf(err))) {
		line = fmt.Sprintf("failed (%s): %v", destination.ReasonOf(err), err)
	}
	if res.Attempts > 0 {
		line += fmt.Sprintf("\n  %s, %s, id %s", plural(res.Attempts, "attempt"), took, res.ID)
	}
	var de *destination.Error
	if errors.As(err, &de) && de.Status != 0 {
		line += fmt.Sprintf(", last status %d", de.Status)
	}
	return line
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
