// Package destinationtest helps test code that delivers messages with
// courier, the way net/http/httptest helps test HTTP code. It gives a test
// certificate authority, a real mutual-TLS server on loopback, and an
// in-memory transport that fails like a real connection. Its functions take
// a TB (*testing.T satisfies it) and clean up with TB.Cleanup.
//
// # Certificates and keystores
//
// NewCA makes a root and an intermediate (ECDSA P-256) that issue server
// and client identities, which the Write methods store as Java keystores,
// PKCS#12 or PEM files in t.TempDir():
//
//	ca := destinationtest.NewCA(t)
//	id := ca.IssueClient(t, "partner-a")                 // leaf + intermediate
//	jksFile := id.WriteJKS(t, "changeit")                 // alias "client", chain up to the root
//	p12File := id.WritePKCS12(t, "changeit")
//	certFile, keyFile := id.WritePEM(t)
//	trust := ca.WriteTruststoreJKS(t, "changeit")         // trustedCertEntry "root"
//	old := ca.IssueClient(t, "old", destinationtest.ValidBetween(from, to))
//	broken := id.LeafOnly()                               // no intermediate: servers refuse it
//
// # A mutual-TLS server
//
// NewServer starts an HTTPS server on 127.0.0.1 that requires a client
// certificate from its CA, records requests and can be scripted. Its
// Destination method writes a keystore and truststore and returns a
// destination.Config pointing at it:
//
//	s := destinationtest.NewServer(t)
//	s.FailNext(2, http.StatusServiceUnavailable, "1") // then the handler answers
//	cfg := s.Destination(t)                            // client.jks + truststore.jks, "changeit"
//	client, err := destination.New(cfg)
//	res, err := client.Send(ctx, destination.Message{Payload: []byte("hello")})
//	reqs := s.Requests()                // Method, Path, Header, Body, Form, ClientSubject, TLSVersion
//	full, resumed := s.Handshakes()     // resumed > 0: TLS sessions are reused
//	n := s.Connections()                // 1 after many requests: keep-alive works
//
// Options make it misbehave like real partners: WithMaxTLSVersion,
// WithClientCAs (it trusts another CA), WithServerIdentity (a certificate
// for another host or from another CA), WithClientAuth, and Delay.
//
// # An in-memory transport
//
// NewTransport serves an http.Handler with no sockets and no certificates,
// for fast unit tests. FailNext makes round trips fail with the error
// values crypto/tls and net return for each failure reason, so courier
// classifies them as it does real ones:
//
//	tr := destinationtest.NewTransport(handler)
//	tr.FailNext(1, destination.ReasonClientCertRejected) // remote error: tls: bad certificate
//	tr.FailStatus(1, http.StatusTooManyRequests, "2")
//	cfg := ca.Destination(t, "https://partner.example/in") // keystores are still loaded
//	client, err := destination.New(cfg, destination.WithTransport(tr))
//
// # Outside tests
//
// Run gives a program (an example, `courier demo`) a TB whose Cleanup
// functions run when its function returns.
//
// Import destinationtest from external test packages (package
// destination_test): destinationtest imports destination, so tests inside
// package destination cannot import it.
package destinationtest
