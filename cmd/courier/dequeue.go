package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the dequeue command's real implementation.
func newDequeueCommand(_ streams) *cobra.Command {
	return &cobra.Command{
		Use:    "dequeue",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("dequeue: not built yet") },
	}
}
