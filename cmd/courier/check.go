package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/check"
	"github.com/mtlscourier/courier/destination"
)

// checkReport is the one JSON object `check --json` prints. Its field names
// are part of the CLI's interface.
type checkReport struct {
	OK     bool          `json:"ok"`
	Reason string        `json:"reason"`
	Checks []checkResult `json:"checks"`
}

type checkResult struct {
	Name    string   `json:"name"`
	Status  string   `json:"status"`
	Message string   `json:"message"`
	Detail  []string `json:"detail"`
}

func newCheckCommand(s streams) *cobra.Command {
	var (
		dest   destinationFlags
		asJSON bool
		wait   time.Duration
	)
	cmd := &cobra.Command{
		Use:   "check --destination FILE [--json]",
		Short: "Explain a destination: configuration, keystores, network, TLS, and the server's verdict on our certificate",
		Long: `Run every check that tells why delivering to the destination would fail, in order,
and report each as pass, warn, fail or skip, with what to do. It sends no HTTP request:
the partner's application sees only TLS handshakes.

  destination          the JSON parses and validates (every problem at once)
  keystore             our key pair opens: keystorePass, key entry, key password, key match
  chain                our chain leads up to a root, or which intermediate is missing (warning)
  validity             our certificates' dates (warning within 30 days of expiry)
  key-usage            our certificate may authenticate a TLS client
  truststore           the CAs we trust for the server
  dns, connect, tls    the host resolves, TCP connects, TLS version, cipher and server chain
  server-trust         our truststore verifies the server's chain, or what to import
  hostname             the server's certificate names the host (or serverName)
  certificate-request  the CAs the server accepts for client certificates
  client-auth          the server accepts our certificate

With --json, exactly one JSON object goes to stdout:
  {"ok":bool,"reason":string,"checks":[{"name","status","message","detail":[string]}]}
reason is the first failure's, in the vocabulary of 'courier send' ("ok" when none failed).

Exit codes: 0 nothing failed (warnings allowed); 1 a check failed; 2 usage error, or the
destination file itself does not load (as 'courier send' treats configuration errors).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep := runCheck(cmd, dest, check.WithProbeWait(wait))
			var err error
			if asJSON {
				err = writeCheckJSON(s.out, rep)
			} else {
				err = writeCheckText(s.out, rep)
			}
			if err != nil {
				return err
			}
			if code := checkExitCode(rep); code != exitOK {
				return exitError{code: code}
			}
			return nil
		},
	}
	dest.register(cmd)
	// -v means nothing here (no attempts to log); it is accepted so that
	// the flags of a send command work for check too.
	_ = cmd.Flags().MarkHidden("verbose")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print exactly one JSON object on stdout")
	cmd.Flags().DurationVar(&wait, "verdict-wait", check.DefaultProbeWait,
		"how long to wait, after a TLS 1.3 handshake, for the server to refuse our certificate (raise it for slow servers)")
	return cmd
}

// runCheck runs the checks on the --destination file with the --var values.
func runCheck(cmd *cobra.Command, dest destinationFlags, opts ...check.Option) check.Report {
	vars, err := dest.parseVars()
	if err != nil {
		return badVarReport(err)
	}
	opts = append(opts, check.WithParseOptions(destination.WithVars(vars)))
	return check.RunFile(cmd.Context(), dest.file, opts...)
}

// badVarReport is the report for a malformed --var: the destination check
// fails, as `courier send` treats it.
func badVarReport(err error) check.Report {
	rep := check.Report{Reason: destination.ReasonConfigInvalid}
	rep.Checks = append(rep.Checks, check.Result{
		Name: check.Destination, Status: check.Fail, Reason: destination.ReasonConfigInvalid,
		Message: err.Error(), Detail: []string{},
	})
	for _, n := range check.Names[1:] {
		rep.Checks = append(rep.Checks, check.Result{Name: n, Status: check.Skip,
			Message: "skipped: the destination check failed", Detail: []string{}})
	}
	return rep
}

// checkExitCode: 2 when the destination itself does not load, like send's
// configuration errors; 1 when any other check failed.
func checkExitCode(rep check.Report) int {
	switch {
	case rep.OK():
		return exitOK
	case rep.Reason == destination.ReasonConfigInvalid:
		return exitUsage
	}
	return exitFailed
}

func writeCheckJSON(w io.Writer, rep check.Report) error {
	out := checkReport{OK: rep.OK(), Reason: string(rep.Reason), Checks: make([]checkResult, 0, len(rep.Checks))}
	for _, c := range rep.Checks {
		detail := c.Detail
		if detail == nil {
			detail = []string{}
		}
		out.Checks = append(out.Checks, checkResult{Name: c.Name, Status: string(c.Status), Message: c.Message, Detail: detail})
	}
	return json.NewEncoder(w).Encode(out)
}

// statusSymbols mark each line of the human report.
var statusSymbols = map[check.Status]string{check.Pass: "✓", check.Warn: "!", check.Fail: "✗", check.Skip: "-"}

// writeCheckText writes one line per check, its details indented below,
// and a summary.
func writeCheckText(w io.Writer, rep check.Report) error {
	var b strings.Builder
	warnings := 0
	for _, c := range rep.Checks {
		fmt.Fprintf(&b, "%s %-19s %s\n", statusSymbols[c.Status], c.Name, c.Message)
		for _, d := range c.Detail {
			fmt.Fprintf(&b, "      %s\n", d)
		}
		if c.Status == check.Warn {
			warnings++
		}
	}
	if f, ok := rep.FirstFailure(); ok {
		fmt.Fprintf(&b, "\nFAILED (%s) at the %s check: %s\n", rep.Reason, f.Name, rep.Reason.Advice())
	} else {
		fmt.Fprintf(&b, "\nOK: nothing failed (%s)\n", plural(warnings, "warning"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
