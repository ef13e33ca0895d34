package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/keystore"
)

// newKeystoreCommand is Keystore Explorer's workflow, scriptable: list a store, build a key
// store from a key pair, trust a server or a CA, export certificates, generate a key pair.
func newKeystoreCommand(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keystore",
		Short: "List, build and fill Java keystores (JKS, PKCS#12, PEM)",
		Long: `List, build and fill the keystores a destination uses: JKS, PKCS#12 and PEM.

Passwords come from --pass-env VAR / --pass-file FILE (the store being read or written),
--from-pass-env / --from-pass-file (the key pair being imported), or a prompt without echo
when standard input is a terminal; never from a flag's value, and they are never printed.
Files are written atomically with mode 0600 and never overwritten without --force
(trust adds to an existing store: that is what it is for).

Exit codes: 0 done; 1 network failure (trust --url cannot connect); 2 usage or file
errors (wrong password, unreadable file, refusing to overwrite, missing --yes, ...).`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(
		newKeystoreListCommand(s),
		newKeystoreImportPairCommand(s),
		newKeystoreTrustCommand(s),
		newKeystoreExportCommand(s),
		newKeystoreGenerateCommand(s),
	)
	return cmd
}

// networkError marks what went wrong on the way to a server: exit 1, not 2.
type networkError struct{ err error }

func (e *networkError) Error() string { return e.err.Error() }
func (e *networkError) Unwrap() error { return e.err }

// keystoreFail says what went wrong on stderr and ends the command with its exit code:
// 1 for the network, 2 for everything the operator must fix (flags, files, passwords).
func keystoreFail(s streams, err error) error {
	if err == nil {
		return nil
	}
	fmt.Fprintf(s.err, "courier: %v\n", err)
	if _, ok := errors.AsType[*networkError](err); ok {
		return exitError{code: exitFailed}
	}
	return exitError{code: exitUsage}
}

// storeFormat is the format of a keystore to write: --type, else the file's extension
// (.p12 and .pfx are PKCS#12, .pem, .crt and .cer PEM when pemOK, anything else JKS, which is
// what NEO and webMethods expect).
func storeFormat(path, typ string, pemOK bool) (keystore.Format, error) {
	f, err := keystore.ParseFormat(typ)
	if err != nil {
		return "", fmt.Errorf("--type: %w", err)
	}
	if f == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".p12", ".pfx":
			f = keystore.FormatPKCS12
		case ".pem", ".crt", ".cer":
			f = keystore.FormatPEM
		default:
			f = keystore.FormatJKS
		}
	}
	if f == keystore.FormatPEM && !pemOK {
		return "", fmt.Errorf("%s: a key pair is written as JKS or PKCS12, not PEM; give --type jks or --type pkcs12", path)
	}
	return f, nil
}

// targetMode checks that a file may be written: a new one, or any with --force.
func targetMode(path string, force bool) (keystore.WriteMode, error) {
	if force {
		return keystore.Replace, nil
	}
	if _, err := os.Lstat(path); err == nil {
		return 0, fmt.Errorf("%s already exists: courier never overwrites a file; give --force to replace it", path)
	}
	return keystore.CreateOnly, nil
}

// writeTarget writes a file targetMode allowed, atomically with mode 0600.
func writeTarget(path string, data []byte, mode keystore.WriteMode) error {
	err := keystore.WriteFile(path, data, mode)
	if errors.Is(err, keystore.ErrFileExists) {
		return fmt.Errorf("%w (--force replaces it)", err)
	}
	return err
}

// openStore opens a keystore to read it, asking for its password unless it is PEM.
func openStore(s streams, path string, pass *passwordSource, opts ...keystore.Option) (*keystore.Store, error) {
	format, err := detectFileFormat(path)
	if err != nil || format == keystore.FormatPEM {
		return keystore.Load(path, nil, opts...) // a PEM store, or Load's own error naming the file
	}
	password, err := pass.read(terminalPrompter(s), "the store password of "+path, askOnce)
	if err != nil {
		return nil, err
	}
	defer clear(password)
	return keystore.Load(path, password, opts...)
}

// detectFileFormat reads the start of a file and tells its format.
func detectFileFormat(path string) (keystore.Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", err
	}
	return keystore.DetectFormat(head)
}
