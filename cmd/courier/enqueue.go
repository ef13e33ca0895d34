package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/enqueue"
)

func newEnqueueCommand(s streams) *cobra.Command {
	var (
		dest   destinationFlags
		msg    enqueue.Message
		data   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use: "enqueue --destination FILE --queue NAME --sender NAME --interface NAME --interface-version V " +
			"[--enterprise NAME] [--id ID] [--data TEXT|@FILE|@-] [--json]",
		Short: "Put one message into a remote platform queue (NEO's enqueue REST call)",
		Long: `Put one message into a remote platform queue with the NEO-style call
  POST {url}/oms/rest/queue/enqueue?QueueName=…&Sender=…&InboundInterface=…&InboundInterfaceVersion=…&Id=…
with the payload as the body ("/oms/rest/queue/enqueue" is appended when the url has no path).
Output, --json object and exit codes are those of 'courier send'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			payload, release, err := readData(cmd.Context(), data, s.in)
			warnNoData(cmd, s)
			if err != nil {
				return printOutcome(s, asJSON, "enqueued", destination.Result{ID: msg.ID},
					&destination.Error{Reason: destination.ReasonConfigInvalid, Err: err})
			}
			defer release()
			if err := requiredFlags(cmd, "queue", "sender", "interface", "interface-version"); err != nil {
				return printOutcome(s, asJSON, "enqueued", destination.Result{ID: msg.ID}, err)
			}
			msg.Payload, msg.Body, msg.Size = payload.Payload, payload.Body, payload.Size
			cfg, err := dest.load()
			if err != nil {
				return printOutcome(s, asJSON, "enqueued", destination.Result{ID: msg.ID}, err)
			}
			client, err := enqueue.New(cfg, dest.options(s)...)
			if err != nil {
				return printOutcome(s, asJSON, "enqueued", destination.Result{ID: msg.ID}, err)
			}
			defer client.Close()
			res, err := client.Enqueue(cmd.Context(), msg)
			return printOutcome(s, asJSON, "enqueued", res, err)
		},
	}
	dest.register(cmd)
	f := cmd.Flags()
	f.StringVar(&msg.QueueName, "queue", "", "QueueName (required)")
	f.StringVar(&msg.Sender, "sender", "", "Sender (required)")
	f.StringVar(&msg.InboundInterface, "interface", "", "InboundInterface (required)")
	f.StringVar(&msg.InboundInterfaceVersion, "interface-version", "", "InboundInterfaceVersion (required)")
	f.StringVar(&msg.InboundQueueEnterpriseName, "enterprise", "", "InboundQueueEnterpriseName (optional)")
	f.StringVar(&msg.ID, "id", "", "message Id; generated when absent")
	f.StringVar(&data, "data", "", "the payload: TEXT, @FILE, or @- for standard input")
	f.BoolVar(&asJSON, "json", false, "print exactly one JSON object on stdout")
	return cmd
}

// requiredFlags names every required flag left empty, as one config_invalid
// error (so that --json still prints its one object).
func requiredFlags(cmd *cobra.Command, names ...string) error {
	var (
		errs  []error
		first string
	)
	for _, name := range names {
		if f := cmd.Flags().Lookup(name); f != nil && strings.TrimSpace(f.Value.String()) == "" {
			errs = append(errs, fmt.Errorf("--%s is required", name))
			if first == "" {
				first = "--" + name
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &destination.Error{Reason: destination.ReasonConfigInvalid, Field: first, Err: errors.Join(errs...)}
}
