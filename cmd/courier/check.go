package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the check command's real implementation.
func newCheckCommand(_ streams) *cobra.Command {
	return &cobra.Command{
		Use:    "check",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("check: not built yet") },
	}
}
