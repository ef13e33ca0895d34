package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the demo command's real implementation.
func newDemoCommand(_ streams) *cobra.Command {
	return &cobra.Command{
		Use:    "demo",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("demo: not built yet") },
	}
}
