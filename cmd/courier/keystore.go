package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the keystore command's real implementation.
func newKeystoreCommand(_ streams) *cobra.Command {
	return &cobra.Command{
		Use:    "keystore",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("keystore: not built yet") },
	}
}
