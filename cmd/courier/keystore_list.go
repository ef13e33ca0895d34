package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/keystore"
)

// listing is what `keystore list --json` prints. Its field names are part of the CLI's
// interface.
type listing struct {
	File    string         `json:"file"`
	Format  string         `json:"format"`
	Entries []entryListing `json:"entries"`
}

// entryListing is one entry: its own certificate's fields, and for a key entry the whole
// chain as stored (leaf first). Alias is "" for PEM entries and where a PKCS#12 file's names
// cannot be read (see keystore.Entry).
type entryListing struct {
	Alias string `json:"alias"`
	Type  string `json:"type"` // PrivateKeyEntry or trustedCertEntry, as keytool says
	certSummary
	Chain []certSummary `json:"chain,omitempty"`
}

func newKeystoreListCommand(s streams) *cobra.Command {
	var (
		asJSON  bool
		keyFile string
	)
	cmd := &cobra.Command{
		Use:   "list FILE [--json] [--pass-env VAR | --pass-file FILE] [--key KEY.pem]",
		Short: "Show every entry of a JKS, PKCS#12 or PEM keystore",
		Long: `Show every entry of a keystore: its alias, type (key pair or trusted certificate),
subject, issuer, validity, SHA-256 fingerprint, and key algorithm and size. A key entry
shows every certificate of its chain. PEM files need no password; --key adds the private
key of a .crt file kept beside it. Aliases are shown as Java lists them, lower-cased. PEM
entries have none, nor have the trusted certificates of legacy (3DES/RC2) PKCS#12 files,
whose names are encrypted with algorithms courier does not open: those show "-".`,
		Args: cobra.ExactArgs(1),
	}
	pass := addPasswordFlags(cmd, "pass", "the store password")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object: {file, format, entries: [...]}")
	cmd.Flags().StringVar(&keyFile, "key", "", "PEM private key file of a PEM certificate chain")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		var opts []keystore.Option
		if keyFile != "" {
			opts = append(opts, keystore.WithKeyFile(keyFile))
		}
		st, err := openStore(s, args[0], pass, opts...)
		if err != nil {
			return keystoreFail(s, err)
		}
		if asJSON {
			return keystoreFail(s, json.NewEncoder(s.out).Encode(newListing(args[0], st)))
		}
		printListing(s, args[0], st, time.Now())
		return nil
	}
	return cmd
}

func newListing(path string, st *keystore.Store) listing {
	l := listing{File: path, Format: string(st.Format), Entries: []entryListing{}}
	for _, e := range st.Entries {
		el := entryListing{Alias: e.Alias, Type: e.Kind.String(), certSummary: summarize(e.Chain[0])}
		if e.Kind == keystore.PrivateKeyEntry {
			for _, c := range e.Chain {
				el.Chain = append(el.Chain, summarize(c))
			}
		}
		l.Entries = append(l.Entries, el)
	}
	return l
}

func printListing(s streams, path string, st *keystore.Store, now time.Time) {
	entries := "entries"
	if len(st.Entries) == 1 {
		entries = "entry"
	}
	fmt.Fprintf(s.out, "%s: %s keystore, %d %s\n", path, formatName(st.Format), len(st.Entries), entries)
	for _, e := range st.Entries {
		alias := e.Alias
		if alias == "" {
			alias = "-"
		}
		fmt.Fprintf(s.out, "\nAlias:    %s\n", alias)
		if e.Kind == keystore.TrustedCertEntry {
			fmt.Fprintf(s.out, "Type:     %s (trusted certificate)\n", e.Kind)
			printCert(s.out, "", e.Chain[0], now)
			continue
		}
		fmt.Fprintf(s.out, "Type:     %s (key pair), chain of %d\n", e.Kind, len(e.Chain))
		printCert(s.out, "", e.Chain[0], now)
		for i, c := range e.Chain[1:] {
			fmt.Fprintf(s.out, "  Chain certificate %d of %d:\n", i+2, len(e.Chain))
			printCert(s.out, "    ", c, now)
		}
	}
}

// formatName is the keystore type as keytool's -storetype writes it.
func formatName(f keystore.Format) string {
	switch f {
	case keystore.FormatJKS:
		return "JKS"
	case keystore.FormatPKCS12:
		return "PKCS12"
	}
	return "PEM"
}
