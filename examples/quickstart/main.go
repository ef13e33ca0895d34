// Quickstart starts an embedded mutual-TLS server (destinationtest), writes
// a destination JSON and its keystores the way NEO wants them, and delivers
// one message to it with courier — the whole product in one run:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	return destinationtest.Run(func(tb destinationtest.TB) error {
		// A partner endpoint that requires a client certificate.
		server := destinationtest.NewServer(tb)
		fmt.Fprintf(out, "partner server: %s (mutual TLS required)\n", server.URL+"/in")

		// The destination as an integration platform writes it: relaxed
		// JSON, single quotes, a JKS keystore and truststore.
		cfg := server.Destination(tb, destinationtest.WithPath("/in"))
		doc := fmt.Sprintf(`{'url': '%s', 'method': 'POST', 'params': {'message': '%%{payload}'},
 'keystoreFile': '%s', 'keystorePass': 'changeit',
 'truststoreFile': '%s', 'truststorePass': 'changeit'}`,
			cfg.URL, filepath.Base(cfg.KeystoreFile), filepath.Base(cfg.TruststoreFile))
		path := filepath.Join(cfg.Dir, "destination.json")
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(out, "destination JSON:\n%s\n", doc)

		loaded, err := destination.Load(path)
		if err != nil {
			return err
		}
		client, err := destination.New(loaded)
		if err != nil {
			return err
		}
		defer client.Close()
		res, err := client.Send(ctx, destination.Message{Payload: []byte("<order id='42'/>")})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "delivered: status %d in %d attempt(s), id %s\n", res.Status, res.Attempts, res.ID)

		got := server.Requests()[0]
		fmt.Fprintf(out, "server received: %s %s from client %q, message=%q, Idempotency-Key=%s\n",
			got.Method, got.Path, got.ClientSubject, got.Form.Get("message"), got.Header.Get("Idempotency-Key"))
		return nil
	})
}
