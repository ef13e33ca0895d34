package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the enqueue command's real implementation.
func newEnqueueCommand(_ streams) *cobra.Command {
	return &cobra.Command{
		Use:    "enqueue",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("enqueue: not built yet") },
	}
}
