package main

import (
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/keystore"
)

// generateFlags are generate's flags.
type generateFlags struct {
	cn, to, alias, typ, csr string
	key                     string
	keySize, days           int
	force                   bool
	pass, keyPass           *passwordSource
}

func newKeystoreGenerateCommand(s streams) *cobra.Command {
	f := &generateFlags{}
	cmd := &cobra.Command{
		Use:   "generate --cn NAME --to client.jks [--key ec|rsa] [--days N] [--alias A] [--csr out.csr]",
		Short: "Make a new key pair with a self-signed certificate, and a CSR for the partner",
		Long: `Make a new key pair in a new key store (webMethods' "Generate" step): an EC P-256
key by default (--key rsa: RSA 2048; --key-size 3072 or 4096, or 384 for EC P-384) and a
self-signed client certificate for it (CN from --cn, valid --days days, extended key usage
clientAuth). Send the partner that certificate (courier keystore export), or with --csr a
certificate signing request for their CA to sign.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return keystoreFail(s, generate(s, f, time.Now())) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.cn, "cn", "", "common name of the certificate, e.g. the client's host or system name")
	fl.StringVar(&f.to, "to", "", "the key store to write")
	fl.StringVar(&f.alias, "alias", "client", "alias of the key entry")
	fl.StringVar(&f.typ, "type", "", "type of the store: jks or pkcs12 (default: from --to's extension, else jks)")
	fl.StringVar(&f.key, "key", "ec", "key algorithm: ec or rsa")
	fl.IntVar(&f.keySize, "key-size", 0, "key size: 256 or 384 for ec (default 256), 2048, 3072 or 4096 for rsa (default 2048)")
	fl.IntVar(&f.days, "days", 365, "how many days the self-signed certificate is valid")
	fl.StringVar(&f.csr, "csr", "", "also write a certificate signing request (PEM) to this file")
	fl.BoolVar(&f.force, "force", false, "replace --to and --csr if they exist")
	f.pass = addPasswordFlags(cmd, "pass", "the password of the new store")
	f.keyPass = addPasswordFlags(cmd, "key-pass", "the key password, when it must differ from the store password")
	_ = cmd.MarkFlagRequired("cn")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func generate(s streams, f *generateFlags, now time.Time) error {
	format, err := outputFormat(f.to, f.typ)
	if err != nil {
		return err
	}
	if err := f.check(format); err != nil {
		return err
	}
	mode, csrMode, err := f.targets()
	if err != nil {
		return err
	}
	key, err := keystore.GenerateKey(keystore.KeyAlgorithm(f.key), f.keySize)
	if err != nil {
		return err
	}
	subject := pkix.Name{CommonName: f.cn}
	start := now.Truncate(time.Second)
	kp, err := keystore.SelfSigned(key, subject, start, start.AddDate(0, 0, f.days))
	if err != nil {
		return err
	}
	var csr []byte
	if f.csr != "" {
		// Made before anything is written, so that only a failing write can leave one file alone.
		if csr, err = keystore.CreateCSR(key, subject); err != nil {
			return err
		}
	}
	if err := writeKeyPairStore(s, format, f.alias, kp, f.keyPass, f.pass, f.to, mode, now); err != nil {
		return err
	}
	if f.csr == "" {
		fmt.Fprintf(s.out, "Send the partner the certificate: courier keystore export %s --alias %s --out %s.crt\n", f.to, f.alias, f.alias)
		return nil
	}
	if err := writeTarget(f.csr, csr, csrMode); err != nil {
		return fmt.Errorf("%w; %s was written without its request: rerun with --force to make both again", err, f.to)
	}
	fmt.Fprintf(s.out, "Wrote %s: a certificate signing request for %s; send it to the partner's CA, then import "+
		"their reply: keytool -importcert -keystore %s -alias %s -file REPLY.crt\n", f.csr, subject, f.to, f.alias)
	return nil
}

// errCSRIsStore refuses a --csr that names the key store: the request would replace it.
var errCSRIsStore = errors.New("--csr is --to: the request needs its own file, e.g. client.csr")

// targets checks every file generate writes before it writes any, so that a refused one
// leaves nothing behind (a rerun would otherwise find --to already there).
func (f *generateFlags) targets() (mode, csrMode keystore.WriteMode, err error) {
	if mode, err = outputTarget(f.to, f.force); err != nil || f.csr == "" {
		return mode, keystore.CreateOnly, err
	}
	if sameFile(f.to, f.csr) {
		return 0, 0, fmt.Errorf("%s: %w", f.csr, errCSRIsStore)
	}
	csrMode, err = outputTarget(f.csr, f.force)
	return mode, csrMode, err
}

// check refuses flag values before any key is made.
func (f *generateFlags) check(format keystore.Format) error {
	if f.cn == "" {
		return errors.New("--cn: the certificate needs a common name")
	}
	if f.days < 1 || f.days > 36500 {
		return fmt.Errorf("--days %d: give 1 to 36500", f.days)
	}
	if format == keystore.FormatPKCS12 && f.keyPass.given() {
		return errors.New("--key-pass-env/--key-pass-file: a PKCS#12 store has one password for the store and its keys; " +
			"leave them out, or write JKS")
	}
	return nil
}
