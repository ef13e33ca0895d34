package check

import "github.com/mtlscourier/courier/destination"

// Status is how one check went.
type Status string

// The statuses, as the CLI prints them.
const (
	Pass Status = "pass" // all is well
	Warn Status = "warn" // works, but deserves a look: delivery may still fail because of it
	Fail Status = "fail" // delivery fails because of this
	Skip Status = "skip" // not run: an earlier check it depends on failed
)

// The checks' names, in the order Run runs them. Scripts read them from
// `courier check --json`: never rename one.
const (
	Destination        = "destination"         // the JSON parses and validates
	Keystore           = "keystore"            // our key pair loads: store password, key entry, key password
	Chain              = "chain"               // our chain leads up to a self-signed root
	Validity           = "validity"            // our certificates are within their dates
	KeyUsage           = "key-usage"           // our certificate may be used for TLS client authentication
	Truststore         = "truststore"          // the CAs we trust for the server
	DNS                = "dns"                 // the URL's host resolves
	Connect            = "connect"             // a TCP connection opens
	TLS                = "tls"                 // the server speaks TLS with us: version, cipher, its chain
	ServerTrust        = "server-trust"        // our truststore verifies the server's chain
	Hostname           = "hostname"            // the server's certificate names the host
	CertificateRequest = "certificate-request" // the CAs the server accepts for client certificates
	ClientAuth         = "client-auth"         // the server accepts our client certificate
)

// Names lists every check's name, in the order Run reports them.
var Names = []string{
	Destination, Keystore, Chain, Validity, KeyUsage, Truststore,
	DNS, Connect, TLS, ServerTrust, Hostname, CertificateRequest, ClientAuth,
}

// Result is the outcome of one check.
type Result struct {
	Name    string // one of Names
	Status  Status
	Message string // one plain sentence
	// Detail holds further lines: what was found, and for a failure or
	// warning what to do, on a line that starts with "fix: ".
	Detail []string
	// Reason is, for a failure, why delivery would fail, in the vocabulary
	// of destination.Send; "" for other statuses.
	Reason destination.Reason
}

// Report is every check's Result, in order.
type Report struct {
	Checks []Result
	// Reason is the Reason of the first failed check; destination.ReasonOK
	// when none failed.
	Reason destination.Reason
}

// OK reports whether no check failed; warnings are allowed.
func (r Report) OK() bool { return r.Reason == destination.ReasonOK }

// Find returns the result of the check called name.
func (r Report) Find(name string) (Result, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Result{}, false
}

// FirstFailure returns the first failed check, which Reason comes from.
func (r Report) FirstFailure() (Result, bool) {
	for _, c := range r.Checks {
		if c.Status == Fail {
			return c, true
		}
	}
	return Result{}, false
}
