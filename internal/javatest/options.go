package javatest

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Options configure the Java server. Every empty field has a default, listed
// on the field; relative paths are relative to the test's working directory.
type Options struct {
	// Keystore holds the server's key entry; default the fixture server.p12.
	Keystore string
	// KeystoreType is the java.security.KeyStore type ("PKCS12" or "JKS");
	// default JKS for a .jks file, PKCS12 otherwise.
	KeystoreType string
	// KeystorePass is the store (and key) password; default "changeit".
	KeystorePass string
	// Truststore holds the CAs the server trusts for client certificates;
	// default the fixture trust.p12.
	Truststore string
	// TruststoreType is like KeystoreType, for Truststore.
	TruststoreType string
	// TruststorePass is the truststore password; default "changeit".
	TruststorePass string
	// Protocols the server accepts, e.g. {"TLSv1.2"}; default TLSv1.3 and TLSv1.2.
	Protocols []string
	// ClientAuth is "need" (default), "want" or "none".
	ClientAuth string
	// Fail makes the first Fail requests answer FailStatus instead of 200 "ok".
	Fail int
	// FailStatus is the status of the failed answers; default 503.
	FailStatus int
	// RetryAfter, when set, is sent as the Retry-After header of failed answers.
	RetryAfter string
	// Engine is the Java server implementation: EngineHTTPServer (default)
	// or EngineSocket. They differ in how a refused handshake looks to the
	// client; see the constants.
	Engine string
}

// The engines of MtlsServer.
const (
	// EngineHTTPServer is com.sun.net.httpserver.HttpsServer. It closes a
	// refused connection without sending the TLS alert, so the client sees
	// EOF (TLS 1.2) or "connection reset by peer" (TLS 1.3).
	EngineHTTPServer = "httpserver"
	// EngineSocket is a javax.net.ssl.SSLServerSocket with a minimal
	// HTTP/1.1 reader. It sends JSSE's fatal alert before closing, as
	// servlet containers do: "remote error: tls: ..." on the client.
	EngineSocket = "socket"
)

// Defaults for the zero Options: the committed keytool fixtures.
const (
	defaultKeystore   = "server.p12"
	defaultTruststore = "trust.p12"
	defaultPassword   = "changeit"
	defaultClientAuth = "need"
	defaultFailStatus = 503
)

// errBadOption marks Options that MtlsServer would refuse.
var errBadOption = errors.New("invalid option")

var defaultProtocols = []string{"TLSv1.3", "TLSv1.2"}

// withDefaults fills every empty field, so that args can pass all of them.
func (o Options) withDefaults() (Options, error) {
	var err error
	if o.Keystore, err = storePath(o.Keystore, defaultKeystore); err != nil {
		return o, err
	}
	if o.Truststore, err = storePath(o.Truststore, defaultTruststore); err != nil {
		return o, err
	}
	o.KeystoreType = storeType(o.KeystoreType, o.Keystore)
	o.TruststoreType = storeType(o.TruststoreType, o.Truststore)
	o.KeystorePass = orDefault(o.KeystorePass, defaultPassword)
	o.TruststorePass = orDefault(o.TruststorePass, defaultPassword)
	if len(o.Protocols) == 0 {
		o.Protocols = defaultProtocols
	}
	o.ClientAuth = orDefault(o.ClientAuth, defaultClientAuth)
	switch o.ClientAuth {
	case "need", "want", "none":
	default:
		return o, fmt.Errorf("javatest: ClientAuth %q: use need, want or none: %w", o.ClientAuth, errBadOption)
	}
	o.Engine = orDefault(o.Engine, EngineHTTPServer)
	if o.Engine != EngineHTTPServer && o.Engine != EngineSocket {
		return o, fmt.Errorf("javatest: Engine %q: use %q or %q: %w", o.Engine, EngineHTTPServer, EngineSocket, errBadOption)
	}
	if o.FailStatus == 0 {
		o.FailStatus = defaultFailStatus
	}
	return o, nil
}

// args are MtlsServer's command-line flags for complete Options.
func (o Options) args() []string {
	args := []string{
		"--keystore", o.Keystore, "--keystore-type", o.KeystoreType, "--keystore-pass", o.KeystorePass,
		"--truststore", o.Truststore, "--truststore-type", o.TruststoreType, "--truststore-pass", o.TruststorePass,
		"--protocols", strings.Join(o.Protocols, ","),
		"--client-auth", o.ClientAuth,
		"--fail", strconv.Itoa(o.Fail),
		"--fail-status", strconv.Itoa(o.FailStatus),
		"--engine", o.Engine,
	}
	if o.RetryAfter != "" {
		args = append(args, "--retry-after", o.RetryAfter)
	}
	return args
}

// storePath makes path absolute, or finds the fixture def when it is empty.
func storePath(path, def string) (string, error) {
	if path == "" {
		return fixture(def)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("javatest: store %s: %w", path, err)
	}
	return abs, nil
}

// storeType guesses the KeyStore type from the file name when none is given.
// (JDK 9+ keystores of either type read both formats anyway.)
func storeType(typ, path string) string {
	if typ != "" {
		return typ
	}
	if strings.EqualFold(filepath.Ext(path), ".jks") {
		return "JKS"
	}
	return "PKCS12"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
