package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/keystore"
)

// trustFlags are trust's flags.
type trustFlags struct {
	url     string
	certs   []string
	to      string
	typ     string
	alias   string
	yes     bool
	timeout time.Duration
	pass    *passwordSource
}

func newKeystoreTrustCommand(s streams) *cobra.Command {
	f := &trustFlags{}
	cmd := &cobra.Command{
		Use:   "trust (--url https://host:port | --cert FILE...) --to trust.jks [--yes]",
		Short: "Add a server's certificate chain, or certificate files, to a truststore",
		Long: `Add trusted certificates to a truststore, creating it if need be.

--url fetches the chain a server presents (a TLS handshake that verifies nothing and sends
nothing else), prints each certificate with its SHA-256 fingerprint, and imports them all
once confirmed: compare the fingerprints with the partner's first. On a terminal it asks;
elsewhere --yes is required. --cert imports PEM or DER certificate files (.pem, .crt, .cer,
.der; several certificates per PEM file are fine).

Aliases come from the certificates' common names, made unique; --alias names a single
certificate. JKS and PKCS#12 aliases are lower-cased, as keytool lists them; the entries
already in the store keep theirs. Certificates already in the store are skipped. The store is JKS unless --type
(or a .p12/.pfx/.pem name) says otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return keystoreFail(s, trust(cmd, s, f))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "fetch the certificates of this server: https://host:port")
	fl.StringArrayVar(&f.certs, "cert", nil, "certificate file to trust, PEM or DER (repeatable)")
	fl.StringVar(&f.to, "to", "", "the truststore to add to, or to create")
	fl.StringVar(&f.typ, "type", "", "type of a new store: jks, pkcs12 or pem (default: from --to's extension, else jks)")
	fl.StringVar(&f.alias, "alias", "", "alias for the certificate, when there is only one")
	fl.BoolVarP(&f.yes, "yes", "y", false, "trust the fetched certificates without asking")
	fl.DurationVar(&f.timeout, "timeout", 15*time.Second, "how long to wait for the server")
	f.pass = addPasswordFlags(cmd, "pass", "the truststore's password")
	cmd.MarkFlagsOneRequired("url", "cert")
	cmd.MarkFlagsMutuallyExclusive("url", "cert")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func trust(cmd *cobra.Command, s streams, f *trustFlags) error {
	certs, err := trustedCertificates(cmd, s, f)
	if err != nil {
		return err
	}
	if f.alias != "" && len(certs) != 1 {
		return fmt.Errorf("--alias names one certificate, and there are %d; leave it out to name them after their common names", len(certs))
	}
	b, password, err := openTruststore(s, f)
	if err != nil {
		return err
	}
	defer clear(password)
	added, err := addTrusted(s, b, certs, f.alias)
	if err != nil || len(added) == 0 {
		return err // nothing new: the store stays as it is
	}
	mode := keystore.CreateOnly
	if _, statErr := os.Stat(f.to); statErr == nil {
		mode = keystore.Replace // adding to the store is what trust is for
	}
	if err := writeStore(b, password, f.to, mode); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "Added %d trusted %s to %s (%s): %s\n", len(added), certificates(len(added)), f.to,
		formatName(b.Format()), strings.Join(added, ", "))
	return nil
}

func certificates(n int) string {
	if n == 1 {
		return "certificate"
	}
	return "certificates"
}

// trustedCertificates reads the certificates to trust, from the server (confirmed) or the files.
func trustedCertificates(cmd *cobra.Command, s streams, f *trustFlags) ([]*x509.Certificate, error) {
	if f.url == "" {
		return readCertFiles(s, f.certs)
	}
	addr, host, err := serverAddress(f.url)
	if err != nil {
		return nil, err
	}
	chain, err := fetchChain(cmd.Context(), addr, host, f.timeout)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(s.out, "%s presents %d %s:\n", addr, len(chain), certificates(len(chain)))
	printCertList(s, chain)
	return chain, confirmTrust(s, f, len(chain))
}

// confirmTrust asks before certificates from the network are trusted: they were not verified.
func confirmTrust(s streams, f *trustFlags, n int) error {
	if f.yes {
		return nil
	}
	term := terminalPrompter(s)
	if term == nil {
		return errors.New("refusing to trust certificates fetched from the network without confirmation: " +
			"compare the fingerprints above with the partner's, then run again with --yes")
	}
	ok, err := term.Confirm(fmt.Sprintf("Trust %s in %s?", plural(n, "certificate"), f.to))
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("not confirmed: nothing was written")
	}
	return nil
}

// readCertFiles reads PEM or DER certificate files and prints them.
func readCertFiles(s streams, files []string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for _, file := range files {
		format, err := detectFileFormat(file)
		if err == nil && format != keystore.FormatPEM {
			return nil, fmt.Errorf("--cert %s: a %s keystore, not a certificate file; export its certificates first: "+
				"courier keystore export %s --chain --out FILE.pem", file, formatName(format), file)
		}
		st, err := keystore.Load(file, nil)
		if err != nil {
			return nil, err
		}
		if len(st.Certificates()) == 0 {
			return nil, fmt.Errorf("--cert %s: no certificate in the file", file)
		}
		certs = append(certs, st.Certificates()...)
	}
	fmt.Fprintf(s.out, "%d %s to trust:\n", len(certs), certificates(len(certs)))
	printCertList(s, certs)
	return certs, nil
}

func printCertList(s streams, certs []*x509.Certificate) {
	now := time.Now()
	for i, c := range certs {
		fmt.Fprintf(s.out, "  [%d]\n", i+1)
		printCert(s.out, "    ", c, now)
	}
}

// openTruststore opens --to to add to it, or starts a new store; it returns the password to
// write it with.
func openTruststore(s streams, f *trustFlags) (*keystore.Builder, []byte, error) {
	if _, err := os.Stat(f.to); err != nil {
		format, err := storeFormat(f.to, f.typ, true)
		if err != nil {
			return nil, nil, err
		}
		b, err := keystore.NewBuilder(format)
		if err != nil || format == keystore.FormatPEM {
			return b, nil, err
		}
		password, err := f.pass.read(terminalPrompter(s), "the password of the new truststore "+f.to, askConfirm)
		return b, password, err
	}
	format, err := detectFileFormat(f.to)
	if err != nil || format == keystore.FormatPEM {
		b, err := keystore.Edit(f.to, nil)
		return b, nil, err
	}
	password, err := f.pass.read(terminalPrompter(s), "the store password of "+f.to, askOnce)
	if err != nil {
		return nil, nil, err
	}
	b, err := keystore.Edit(f.to, password)
	if err != nil {
		clear(password)
		return nil, nil, err
	}
	return b, password, nil
}

// addTrusted adds the certificates the store does not hold yet, and returns their aliases.
func addTrusted(s streams, b *keystore.Builder, certs []*x509.Certificate, alias string) ([]string, error) {
	var added []string
	for _, c := range certs {
		if have, ok := b.Contains(c); ok {
			fmt.Fprintf(s.out, "Already in the store as %q: %s\n", have, c.Subject)
			continue
		}
		a := alias
		if a == "" {
			// Common names have spaces; aliases are typed in commands, so hyphens replace them.
			a = strings.Join(strings.Fields(c.Subject.CommonName), "-")
		}
		if b.Format() == keystore.FormatPKCS12 {
			a = strings.ToLower(a) // as keytool lists it (the JKS Builder lower-cases by itself)
		}
		if alias == "" {
			a = b.UniqueAlias(a)
		}
		if err := b.AddTrusted(a, c); err != nil {
			return nil, err
		}
		added = append(added, b.Aliases()[len(b.Aliases())-1])
	}
	return added, nil
}
