package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/keystore"
)

func newKeystoreExportCommand(s streams) *cobra.Command {
	var (
		alias, out   string
		chain, force bool
	)
	cmd := &cobra.Command{
		Use:   "export FILE [--alias A] [--chain] [--out FILE.pem]",
		Short: "Write an entry's certificate, or its whole chain, as PEM",
		Long: `Write the certificate of a keystore entry as PEM: a key entry's own certificate (with
--chain, its whole chain as stored, leaf first) or a trusted certificate. This is what a
partner asks for to trust our client certificate. The private key is never exported.

--alias may be left out when the store has a single entry, or a single key entry.
In PKCS#12 and PEM stores, where some entries have no alias (see "keystore list"), --alias
also matches the certificate's common name when no alias matches.
Without --out, or with --out -, the PEM goes to standard output.`,
		Args: cobra.ExactArgs(1),
	}
	pass := addPasswordFlags(cmd, "pass", "the store password")
	cmd.Flags().StringVar(&alias, "alias", "", "the entry to export")
	cmd.Flags().BoolVar(&chain, "chain", false, "export a key entry's whole chain, not only its certificate")
	cmd.Flags().StringVar(&out, "out", "", "the PEM file to write (default: standard output)")
	cmd.Flags().BoolVar(&force, "force", false, "replace --out if it exists")
	cmd.RunE = func(*cobra.Command, []string) error {
		return keystoreFail(s, export(s, cmd.Flags().Arg(0), alias, chain, out, force, pass))
	}
	return cmd
}

// errOutIsStore refuses an --out that names the store being read: writing the PEM there would
// replace the store, and lose its private keys, even with --force.
var errOutIsStore = errors.New("--out is the key store being read; writing the PEM there would lose its private keys: give another --out")

func export(s streams, path, alias string, chain bool, out string, force bool, pass *passwordSource) error {
	mode := keystore.CreateOnly
	if out != "" && out != "-" {
		if sameFile(path, out) {
			return fmt.Errorf("%s: %w", out, errOutIsStore)
		}
		var err error
		if mode, err = targetMode(out, force); err != nil {
			return err
		}
	}
	st, err := openStore(s, path, pass)
	if err != nil {
		return err
	}
	e, err := findEntry(st, alias)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	certs := e.Chain[:1]
	if chain {
		certs = e.Chain
	}
	data := keystore.EncodePEM(certs)
	if out == "" || out == "-" {
		_, err := s.out.Write(data)
		return err
	}
	if err := writeTarget(out, data, mode); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "Wrote %s: %s (%s)\n", out, plural(len(certs), "certificate"), e.Chain[0].Subject)
	return nil
}

// sameFile reports whether a and b name one file: one file on disk, however each is spelled
// (os.Stat follows links), or, when either does not exist yet, the same absolute path.
func sameFile(a, b string) bool {
	ai, errA := os.Stat(a)
	bi, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(ai, bi)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// findEntry finds the entry alias names: by alias; in PKCS#12 and PEM, where some entries have
// no alias, else by the certificate's common name. No alias means the only entry, or the only
// key entry.
func findEntry(st *keystore.Store, alias string) (*keystore.Entry, error) {
	var keys []*keystore.Entry
	for i := range st.Entries {
		if st.Entries[i].Kind == keystore.PrivateKeyEntry {
			keys = append(keys, &st.Entries[i])
		}
	}
	match := entriesNamed(st, alias, func(e *keystore.Entry) string { return e.Alias })
	if len(match) == 0 && st.Format != keystore.FormatJKS {
		match = entriesNamed(st, alias, func(e *keystore.Entry) string { return e.Chain[0].Subject.CommonName })
	}
	switch {
	case alias != "" && len(match) == 1:
		return match[0], nil
	case alias != "" && len(match) > 1:
		return nil, fmt.Errorf("%d entries have the common name %q; export them with --alias of a JKS copy", len(match), alias)
	case alias != "":
		return nil, fmt.Errorf("%w: no entry %q; the store has: %s", keystore.ErrAliasNotFound, alias, entryNames(st))
	case len(st.Entries) == 1:
		return &st.Entries[0], nil
	case len(keys) == 1:
		return keys[0], nil
	case len(st.Entries) == 0:
		return nil, errors.New("the store has no entries")
	}
	return nil, fmt.Errorf("%w: give --alias; the store has: %s", keystore.ErrAmbiguousAlias, entryNames(st))
}

// entriesNamed returns the entries whose name (as name tells it) is alias, ignoring case.
func entriesNamed(st *keystore.Store, alias string, name func(*keystore.Entry) string) []*keystore.Entry {
	var match []*keystore.Entry
	for i := range st.Entries {
		if e := &st.Entries[i]; alias != "" && strings.EqualFold(name(e), alias) {
			match = append(match, e)
		}
	}
	return match
}

// entryNames lists the entries for messages, by alias or, without one, common name.
func entryNames(st *keystore.Store) string {
	names := make([]string, len(st.Entries))
	for i, e := range st.Entries {
		name := e.Alias
		if name == "" {
			name = e.Chain[0].Subject.CommonName
		}
		names[i] = fmt.Sprintf("%s (%s)", name, e.Kind)
	}
	return strings.Join(names, ", ")
}
