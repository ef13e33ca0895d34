package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/keystore"
)

// importPairFlags are import-pair's flags and password sources.
type importPairFlags struct {
	from, keyFile, fromAlias string
	to, alias, typ           string
	force                    bool

	fromPass, fromKeyPass, pass, keyPass *passwordSource
}

func newKeystoreImportPairCommand(s streams) *cobra.Command {
	f := &importPairFlags{}
	cmd := &cobra.Command{
		Use:   "import-pair --from KEYPAIR.p12|CERT.pem [--key KEY.pem] --to client.jks --alias NAME [--type jks|pkcs12]",
		Short: "Build a key store from a key pair (PKCS#12, JKS, or PEM certificate and key)",
		Long: `Build a key store holding one key entry, from a key pair: a PKCS#12 or JKS file
(--from-pass-env / --from-pass-file; --from-alias when it holds several key entries), or PEM:
the certificate chain in --from and the private key in --key, or both in the one --from file
(unencrypted PKCS#8, PKCS#1 or SEC1 keys).

The new store is JKS unless --type pkcs12 (or a .p12/.pfx name) says otherwise. Its key
password is its store password, which is what NEO and keytool assume; --key-pass-env /
--key-pass-file set another one (JKS only: PKCS#12 has one password).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return keystoreFail(s, importPair(s, f)) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "the key pair: PKCS#12, JKS, or PEM certificate chain (with or without the key)")
	fl.StringVar(&f.keyFile, "key", "", "PEM private key, when --from is a PEM certificate chain without it")
	fl.StringVar(&f.fromAlias, "from-alias", "", "key entry to take from --from, when it holds several")
	fl.StringVar(&f.to, "to", "", "the key store to write")
	fl.StringVar(&f.alias, "alias", "", "alias of the key entry in the new store")
	fl.StringVar(&f.typ, "type", "", "type of the new store: jks or pkcs12 (default: from --to's extension, else jks)")
	fl.BoolVar(&f.force, "force", false, "replace --to if it exists")
	f.fromPass = addPasswordFlags(cmd, "from-pass", "the password of --from")
	f.fromKeyPass = addPasswordFlags(cmd, "from-key-pass", "the key password of --from's key entry, when it differs from its store password")
	f.pass = addPasswordFlags(cmd, "pass", "the password of the new store")
	f.keyPass = addPasswordFlags(cmd, "key-pass", "the key password of the new entry, when it must differ from the store password")
	for _, name := range []string{"from", "to", "alias"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

func importPair(s streams, f *importPairFlags) error {
	format, err := outputFormat(f.to, f.typ)
	if err != nil {
		return err
	}
	if format == keystore.FormatPKCS12 && f.keyPass.given() {
		return errors.New("--key-pass-env/--key-pass-file: a PKCS#12 store has one password for the store and its keys; " +
			"leave them out, or write JKS")
	}
	mode, err := outputTarget(f.to, f.force)
	if err != nil {
		return err
	}
	kp, err := readKeyPair(s, f)
	if err != nil {
		return err
	}
	return writeKeyPairStore(s, format, f.alias, kp, f.keyPass, f.pass, f.to, mode, time.Now())
}

// writeKeyPairStore writes a new store holding one key pair, and says what it wrote.
func writeKeyPairStore(s streams, format keystore.Format, alias string, kp *keystore.KeyPair,
	keyPass, pass *passwordSource, path string, mode keystore.WriteMode, now time.Time) error {
	b, err := keystore.NewBuilder(format)
	if err != nil {
		return err
	}
	if err := addKeyPair(b, alias, kp, keyPass); err != nil {
		return err
	}
	if err := writeNewStore(s, b, pass, path, mode); err != nil {
		return err
	}
	printKeyPairWritten(s, path, b, kp, now)
	return nil
}

// errOutputType refuses a --type generate and import-pair cannot write.
var errOutputType = errors.New("the new store's type must be jks or pkcs12")

// outputFormat is the format of the key store generate and import-pair write. --type is
// checked here first because keystore.ParseFormat's advice for JCEKS (convert it with
// keytool) is for a store being read, not one being written.
func outputFormat(path, typ string) (keystore.Format, error) {
	if _, err := keystore.ParseFormat(typ); err != nil {
		return "", fmt.Errorf("--type %s: %w", typ, errOutputType)
	}
	return storeFormat(path, typ, false)
}

// errNoDirectory refuses an output file whose directory does not exist.
var errNoDirectory = errors.New("its directory does not exist: create it first")

// outputTarget checks that path may be written, as targetMode does, and that its directory
// exists, so that a command writing several files can refuse before it writes any.
func outputTarget(path string, force bool) (keystore.WriteMode, error) {
	if info, err := os.Stat(filepath.Dir(path)); err != nil || !info.IsDir() {
		return 0, fmt.Errorf("%s: %w", path, errNoDirectory)
	}
	return targetMode(path, force)
}

// readKeyPair opens --from and takes its key pair.
func readKeyPair(s streams, f *importPairFlags) (*keystore.KeyPair, error) {
	var opts []keystore.Option
	if f.keyFile != "" {
		opts = append(opts, keystore.WithKeyFile(f.keyFile))
	}
	if f.fromKeyPass.given() {
		keyPass, err := f.fromKeyPass.read(nil, "the key password of "+f.from, askOnce)
		if err != nil {
			return nil, err
		}
		defer clear(keyPass)
		opts = append(opts, keystore.WithKeyPassword(keyPass))
	}
	st, err := openStore(s, f.from, f.fromPass, opts...)
	if err != nil {
		return nil, err
	}
	kp, err := st.KeyPair(f.fromAlias, nil)
	if errors.Is(err, keystore.ErrAmbiguousAlias) || errors.Is(err, keystore.ErrAliasNotFound) {
		return nil, fmt.Errorf("%w (--from-alias)", err)
	}
	return kp, err
}

// addKeyPair adds the key entry, with its own key password when --key-pass-* gives one.
func addKeyPair(b *keystore.Builder, alias string, kp *keystore.KeyPair, keyPass *passwordSource) error {
	if !keyPass.given() {
		return b.AddKeyPair(alias, kp, nil)
	}
	pw, err := keyPass.read(nil, "the key password", askOnce)
	if err != nil {
		return err
	}
	defer clear(pw)
	return b.AddKeyPair(alias, kp, pw)
}

// writeNewStore asks for the new store's password (twice on a terminal), encodes the store and
// writes it.
func writeNewStore(s streams, b *keystore.Builder, pass *passwordSource, path string, mode keystore.WriteMode) error {
	var password []byte
	if b.Format() != keystore.FormatPEM {
		var err error
		if password, err = pass.read(terminalPrompter(s), "the password of the new store "+path, askConfirm); err != nil {
			return err
		}
		defer clear(password)
	}
	return writeStore(b, password, path, mode)
}

// writeStore encodes the store with password and writes it.
func writeStore(b *keystore.Builder, password []byte, path string, mode keystore.WriteMode) error {
	data, err := b.Encode(password)
	if err != nil {
		return err
	}
	defer clear(data)
	return writeTarget(path, data, mode)
}

// printKeyPairWritten says what was written, and warns about a certificate out of its dates.
func printKeyPairWritten(s streams, path string, b *keystore.Builder, kp *keystore.KeyPair, now time.Time) {
	alias := b.Aliases()[len(b.Aliases())-1]
	fmt.Fprintf(s.out, "Wrote %s (%s, mode 0600): key entry %q with a chain of %d:\n", path, formatName(b.Format()), alias, len(kp.Chain))
	for i, c := range kp.Chain {
		fmt.Fprintf(s.out, "  [%d] %s\n      issuer %s, SHA-256 %s\n", i+1, c.Subject, c.Issuer, fingerprintSHA256(c))
	}
	if err := kp.CheckValidity(now); err != nil {
		fmt.Fprintf(s.err, "courier: warning: %v\n", err)
	}
}
