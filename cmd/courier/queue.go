package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the queue command's real implementation.
func newQueueCommand(_ streams) *cobra.Command {
	return &cobra.Command{
		Use:    "queue",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("queue: not built yet") },
	}
}
