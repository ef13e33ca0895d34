package destination

// Reason names why a delivery failed, from a fixed vocabulary that the CLI
// prints too. Scripts depend on these strings: never rename one.
type Reason string

// The reasons. Each one's Advice says in plain words what to do.
const (
	ReasonOK                 Reason = "ok"
	ReasonConfigInvalid      Reason = "config_invalid"
	ReasonKeystoreUnreadable Reason = "keystore_unreadable"
	ReasonKeystorePassword   Reason = "keystore_password"
	ReasonKeyNotFound        Reason = "key_not_found"
	ReasonCertExpired        Reason = "cert_expired"
	ReasonServerUntrusted    Reason = "server_untrusted"
	ReasonHostnameMismatch   Reason = "hostname_mismatch"
	ReasonClientCertRejected Reason = "client_cert_rejected"
	ReasonConnectionFailed   Reason = "connection_failed"
	ReasonTimeout            Reason = "timeout"
	ReasonHTTPStatus         Reason = "http_status"
)

// Reasons lists every reason, in the order the README's table gives them.
var Reasons = []Reason{
	ReasonOK, ReasonConfigInvalid, ReasonKeystoreUnreadable, ReasonKeystorePassword,
	ReasonKeyNotFound, ReasonCertExpired, ReasonServerUntrusted, ReasonHostnameMismatch,
	ReasonClientCertRejected, ReasonConnectionFailed, ReasonTimeout, ReasonHTTPStatus,
}

var advice = map[Reason]string{
	ReasonOK:                 "the message was delivered",
	ReasonConfigInvalid:      "fix the configuration: each problem names its field",
	ReasonKeystoreUnreadable: "check that the keystore/truststore file exists, is a JKS, PKCS#12 or PEM file, and is not damaged (keytool -list -keystore FILE)",
	ReasonKeystorePassword:   "correct the password named above: keystorePass opens the keystore, keyPass its key entry (NEO assumes the two are equal), truststorePass the truststore",
	ReasonKeyNotFound:        "point keyAlias at a key entry of the keystore (keytool -list shows them), or import the key pair into it",
	ReasonCertExpired:        "our client certificate is outside its validity dates: ask the partner's CA for a new one, or fix the machine's clock",
	ReasonServerUntrusted:    "we do not trust the server's certificate: import the server's CA (or its whole chain) into the truststore",
	ReasonHostnameMismatch:   "the server's certificate is not valid for this host name: use the host name the certificate names, or set serverName",
	ReasonClientCertRejected: "the server refused our certificate: check that the chain is complete (leaf + intermediates) and that the partner has our certificate or its CA",
	ReasonConnectionFailed:   "could not reach the server or it dropped the connection: check the URL, port, DNS, firewall and proxy",
	ReasonTimeout:            "the server did not answer in time: raise timeout, or ask the partner why it is slow",
	ReasonHTTPStatus:         "the server answered with an error status: read the response body; 4xx means the request must change, 5xx means the partner has a problem",
}

// Advice says in plain words what to do about r.
func (r Reason) Advice() string {
	if a, ok := advice[r]; ok {
		return a
	}
	return "unknown reason"
}

// Retryable reports whether a failure of this reason may succeed on a later
// attempt without anything being changed.
func (r Reason) Retryable() bool {
	switch r {
	case ReasonConnectionFailed, ReasonTimeout:
		return true
	}
	return false
}
