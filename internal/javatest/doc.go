// Package javatest runs a real Java (JSSE) mutual-TLS HTTPS server for
// courier's tests, so that courier is proven against a peer that is not Go,
// with keystores made by keytool.
//
// The server is MtlsServer.java, beside this file: JDK 17+ only, built on
// com.sun.net.httpserver.HttpsServer. It is compiled with javac once per test
// process into os.UserCacheDir()/courier-javatest/<hash of the source> (or the
// temp dir when there is no cache dir) and reused by every later run.
//
// A test starts one server and talks to it over loopback:
//
//	srv := javatest.Start(t, javatest.Options{Protocols: []string{"TLSv1.2"}, Fail: 2, RetryAfter: "1"})
//	resp, err := client.Post(srv.URL+"/orders?x=1", "text/plain", body)
//	reqs, err := srv.WaitForRequests(ctx, 1) // method, path, query, headers, body, client DN, protocol
//
// Start skips the test when java or javac is not on PATH (see Available) and
// stops the server in t.Cleanup. The zero Options use the committed keytool
// fixtures under testdata/keytool (server.p12 and trust.p12, password
// "changeit"), found from any package by walking up to go.mod; Fixture gives
// the path of any other fixture.
//
// Options.Engine picks one of two Java servers, which differ only in how a
// refused client certificate looks to the client. EngineHTTPServer
// (com.sun.net.httpserver, the default) closes the connection without the
// TLS alert: Go sees EOF, "connection reset by peer" or net/http's "server
// closed idle connection". EngineSocket (SSLServerSocket, like servlet
// containers) sends JSSE's alert: "remote error: tls: bad certificate" for no
// certificate, "remote error: tls: unknown certificate" for an untrusted one,
// unless in TLS 1.3 a reset or net/http's closed connection overtakes it.
// What the server saw comes back through HandshakeFailures and
// WaitForHandshakeFailures, as JSSE's own messages ("Empty client certificate
// chain", "PKIX path building failed: ...").
//
// The JVM exits when its stdin closes, so a test binary that dies (a go test
// timeout) leaves no server behind.
//
// The JDK's HTTP server decodes header bytes as ISO-8859-1; Request.Header
// turns them back into the bytes the client sent. Header names arrive in the
// JDK's spelling ("Content-length") and are canonicalised by http.Header.
package javatest
