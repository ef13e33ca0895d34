package destinationtest_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// A Transport serves a handler in memory and fails on demand with the
// errors a real mutual-TLS connection returns.
func ExampleNewTransport() {
	tr := destinationtest.NewTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "received %s", body)
	}))
	client := &http.Client{Transport: tr}

	resp, err := client.Post("https://partner.example/orders", "text/plain", strings.NewReader("order 42"))
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	req := tr.Requests()[0]
	fmt.Println(req.Method, req.Host, req.Path, string(req.Body))

	if err := tr.FailNext(1, destination.ReasonClientCertRejected); err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.Post("https://partner.example/orders", "text/plain", strings.NewReader("order 43"))
	fmt.Println(err)
	var alert tls.AlertError
	fmt.Println(errors.As(err, &alert), uint8(alert))
	fmt.Println(tr.RoundTrips(), "round trips,", len(tr.Requests()), "request recorded")
	// Output:
	// 200 received order 42
	// POST partner.example /orders order 42
	// Post "https://partner.example/orders": remote error: tls: bad certificate
	// true 42
	// 2 round trips, 1 request recorded
}

// Run gives programs that are not tests, such as a demo, a TB for a real
// mutual-TLS server; it closes the server when the function returns.
func ExampleRun() {
	err := destinationtest.Run(func(tb destinationtest.TB) error {
		s := destinationtest.NewServer(tb)
		s.FailNext(1, http.StatusServiceUnavailable, "1")

		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs:      s.CA.Pool(),
			Certificates: []tls.Certificate{s.ClientIdentity(tb).TLSCertificate()},
		}}}
		defer client.CloseIdleConnections()
		for range 2 {
			resp, err := client.Get(s.URL + "/health")
			if err != nil {
				return err
			}
			// Reading the body to its end lets the connection be reused.
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			fmt.Printf("%d Retry-After=%q\n", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		for _, r := range s.Requests() {
			fmt.Println(r.Path, r.ClientSubject, tls.VersionName(r.TLSVersion))
		}
		fmt.Println("connections:", s.Connections())

		cfg := s.Destination(tb)
		fmt.Println(filepath.Base(cfg.KeystoreFile), filepath.Base(cfg.TruststoreFile), cfg.Method)
		return nil
	})
	fmt.Println("error:", err)
	// Output:
	// 503 Retry-After="1"
	// 200 Retry-After=""
	// /health courier-client TLS 1.3
	// /health courier-client TLS 1.3
	// connections: 1
	// client.jks truststore.jks POST
	// error: <nil>
}
