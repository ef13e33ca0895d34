package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/destination"
)

// destinationFlags are the flags every command that talks to a destination
// shares.
type destinationFlags struct {
	file    string
	vars    []string
	verbose bool
}

func (f *destinationFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.file, "destination", "", "destination JSON file (strict JSON or NEO's relaxed form)")
	cmd.Flags().StringArrayVar(&f.vars, "var", nil, "NAME=VALUE for ${NAME} in the destination JSON (repeatable; the environment is used too)")
	cmd.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "log every attempt and retry to stderr")
	_ = cmd.MarkFlagRequired("destination")
}

// client loads the destination and builds its client.
func (f *destinationFlags) client(s streams) (*destination.Client, error) {
	cfg, err := f.load()
	if err != nil {
		return nil, err
	}
	return destination.New(cfg, f.options(s)...)
}

// load reads and validates the destination file; every failure is a
// config_invalid *destination.Error.
func (f *destinationFlags) load() (*destination.Config, error) {
	vars, err := f.parseVars()
	if err != nil {
		return nil, &destination.Error{Reason: destination.ReasonConfigInvalid, Err: err}
	}
	cfg, err := destination.Load(f.file, destination.WithVars(vars))
	if err != nil {
		// An unreadable file is as much a configuration error as a bad one.
		return nil, &destination.Error{Reason: destination.ReasonConfigInvalid, Field: "--destination", Err: err}
	}
	return cfg, nil
}

// parseVars turns the --var NAME=VALUE flags into a map.
func (f *destinationFlags) parseVars() (map[string]string, error) {
	vars := make(map[string]string, len(f.vars))
	for _, v := range f.vars {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--var %q: want NAME=VALUE", v)
		}
		vars[name] = value
	}
	return vars, nil
}

// options are the client options the flags ask for.
func (f *destinationFlags) options(s streams) []destination.Option {
	if !f.verbose {
		return nil
	}
	return []destination.Option{destination.WithLogger(slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: slog.LevelDebug})))}
}

func newSendCommand(s streams) *cobra.Command {
	var (
		dest   destinationFlags
		data   string
		id     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "send --destination FILE [--data TEXT | --data @FILE | --data @-] [--id ID] [--json]",
		Short: "Deliver one message as the destination describes",
		Long: `Deliver one message as the destination describes, over mutual TLS, retrying
what may succeed later. The response body goes to stdout and one line saying how it
went to stderr; with --json, exactly one JSON object goes to stdout:
  {"ok":bool,"status":int,"attempts":int,"id":string,"durationMs":int,"reason":string,"error":string}

Exit codes: 0 delivered; 1 delivery failed (network, TLS refusal, non-2xx);
2 usage or configuration error (bad JSON, keystore unreadable or wrong password, ...).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			msg, release, err := readData(cmd.Context(), data, s.in)
			warnNoData(cmd, s)
			if err != nil {
				return printOutcome(s, asJSON, "delivered", destination.Result{ID: id},
					&destination.Error{Reason: destination.ReasonConfigInvalid, Err: err})
			}
			defer release()
			msg.ID = id
			client, err := dest.client(s)
			if err != nil {
				return printOutcome(s, asJSON, "delivered", destination.Result{ID: id}, err)
			}
			defer client.Close()
			res, err := client.Send(cmd.Context(), msg)
			return printOutcome(s, asJSON, "delivered", res, err)
		},
	}
	dest.register(cmd)
	cmd.Flags().StringVar(&data, "data", "", "the payload: TEXT, @FILE, or @- for standard input")
	cmd.Flags().StringVar(&id, "id", "", "message ID (sent in the Idempotency-Key header); generated when absent")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print exactly one JSON object on stdout")
	return cmd
}
