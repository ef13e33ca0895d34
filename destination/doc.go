// Package destination reads an outbound HTTPS destination as integration
// platforms write it — a small JSON document naming a URL and Java keystores
// — and delivers messages to it over mutual TLS.
//
// Load (or Read, or Parse) accepts strict JSON and NEO's relaxed form, and
// reports every problem at once, each naming its field:
//
//	cfg, err := destination.Load("partner.json")
//
// New loads the keystores with Java's semantics (package keystore), checks
// our certificate's dates and builds a client that keeps connections and TLS
// sessions alive:
//
//	client, err := destination.New(cfg, destination.WithLogger(logger))
//	defer client.Close()
//
// Send shapes the request as NEO does (a form of the params for POST, a
// query for GET, else the payload as the raw body), puts the message ID in
// the Idempotency-Key header, retries what may succeed later and nothing
// else, and returns a Result:
//
//	res, err := client.Send(ctx, destination.Message{ID: "order-42", Payload: xml})
//	if err != nil {
//		switch destination.ReasonOf(err) {
//		case destination.ReasonClientCertRejected: // the partner refused our certificate
//		case destination.ReasonServerUntrusted:    // we do not trust theirs
//		}
//	}
//
// Every failure is an *Error carrying a Reason from a fixed vocabulary
// (config_invalid, keystore_password, client_cert_rejected, http_status, ...)
// whose Advice says what to do. Passwords are Secrets: they print as
// [REDACTED] everywhere. The client is silent unless given a logger, and
// never logs payloads, passwords or query strings.
//
// For tests, package destinationtest provides a test CA, a real mutual-TLS
// server on loopback and an in-memory transport (WithTransport).
package destination
