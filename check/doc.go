// Package check explains a destination: it runs, in order, every check
// that tells why delivering to it would fail, and says for each what it
// found and what to do. It is what `courier check` prints.
//
//	rep := check.RunFile(ctx, "partner.json")
//	for _, c := range rep.Checks {
//		fmt.Println(c.Status, c.Name, c.Message) // pass keystore client.jks opens: key entry "client", ...
//	}
//	if !rep.OK() {
//		fmt.Println(rep.Reason) // client_cert_rejected: the vocabulary of destination.Send
//	}
//
// The checks, in the order of Names:
//
//   - destination: the JSON parses and validates, every problem at once;
//   - keystore, chain, validity, key-usage: our key pair loads as the client
//     loads it, its chain leads up to a root (a missing intermediate is a
//     warning: some servers hold it themselves), its dates (a warning
//     within ExpiryWarning of the end) and whether it may authenticate a
//     TLS client;
//   - truststore: the CAs we trust for the server;
//   - dns, connect, tls: the host resolves, a TCP connection opens, and a
//     TLS handshake gives the version, cipher suite and the server's chain;
//   - server-trust, hostname: our truststore verifies that chain, and its
//     certificate names the host; when not, which certificate to import;
//   - certificate-request: the CAs the server accepts for client
//     certificates, and whether one of them issued our chain;
//   - client-auth: whether the server accepts our certificate. In TLS 1.3
//     the server judges it after the handshake, so the check waits for its
//     verdict (DefaultProbeWait): an alert or a closed connection is a
//     refusal, silence is acceptance. No HTTP request is ever sent.
//
// A check that depends on one that failed is reported as Skip. Each failed
// check carries the destination.Reason that `courier send` would report,
// and Report.Reason is the first one.
package check
