package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
	"github.com/mtlscourier/courier/enqueue"
)

// The demo's files and what it sends.
const (
	demoDestination = "partner.json"
	demoKeystore    = "client.jks"
	demoTruststore  = "truststore.jks"
	demoClientName  = "courier-demo-client"
	demoPath        = "/orders"
	demoPayload     = `<order id="42"><item sku="A-1" qty="3"/></order>`
	demoValidity    = 365 * 24 * time.Hour
)

// demoTemplate is the destination the demo writes: NEO's relaxed JSON, with
// paths relative to the file. %s is the server's URL.
const demoTemplate = `// A destination for courier's demo server, in the relaxed JSON that NEO writes:
// comments, single quotes, unquoted keys and trailing commas are all fine.
{
  url: '%s%s',
  keystoreFile: '%s', keystorePass: '%s',     // our key pair: alias "client"
  truststoreFile: '%s', truststorePass: '%s', // the demo CA's root, to verify the server
  contentType: 'application/xml',
  timeout: '10s',
}
`

type demoOptions struct {
	keep  string
	serve bool
}

func newDemoCommand(s streams) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo [--keep DIR] [--serve]",
		Short: "Deliver a message and an enqueue to an embedded mutual-TLS server, and show what it received",
		Long: `Start a mutual-TLS server on loopback with its own test CA, write a ready destination
(partner.json, client.jks, truststore.jks) into a temporary folder, deliver a message and an
enqueue call to it, and print what the server received, the certificates on both sides and
the commands to try next.

The folder is removed when the demo ends, unless --keep DIR writes the files there instead.
The server stops when the demo ends, unless --serve keeps it running until Ctrl-C, so that
the commands shown work from another terminal.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd.Context(), s, o) },
	}
	cmd.Flags().StringVar(&o.keep, "keep", "", "write the files into `DIR` (made if missing) and keep them")
	cmd.Flags().BoolVar(&o.serve, "serve", false, "keep the server running until Ctrl-C")
	return cmd
}

// runDemo runs the demo inside destinationtest.Run, whose cleanups stop the
// server and remove the temporary folder.
func runDemo(ctx context.Context, s streams, o demoOptions) error {
	var failed bool
	err := destinationtest.Run(func(tb destinationtest.TB) error {
		d, err := startDemo(tb, o.keep)
		if err != nil {
			return err
		}
		if err := d.deliver(ctx, s.out); err != nil {
			failed = true
			return err
		}
		d.printNext(s.out, o)
		if o.serve {
			<-ctx.Done()
			fmt.Fprintln(s.out, "\nThe demo server has stopped.")
		}
		return nil
	})
	if err != nil && failed {
		fmt.Fprintf(s.err, "demo: %v\n", err)
		return exitError{code: exitFailed}
	}
	return err
}

// demo is a running demo server and the destination written for it.
type demo struct {
	srv    *destinationtest.Server
	dir    string // where the files are
	path   string // the destination JSON
	kept   bool
	client *x509.Certificate // our certificate
}

// startDemo starts the server and writes the destination and its keystores
// into keep, or a temporary folder.
func startDemo(tb destinationtest.TB, keep string) (*demo, error) {
	now := time.Now()
	valid := destinationtest.ValidBetween(now.Add(-time.Hour), now.Add(demoValidity))
	ca := destinationtest.NewCA(tb)
	srv := destinationtest.NewServer(tb, destinationtest.WithCA(ca),
		destinationtest.WithServerIdentity(ca.IssueServerWith(tb, nil, valid)))
	id := ca.IssueClient(tb, demoClientName, valid)
	cfg := srv.Destination(tb, destinationtest.WithIdentity(id))
	d := &demo{srv: srv, dir: cfg.Dir, client: id.Leaf()}
	if keep != "" {
		if err := keepFiles(keep, cfg); err != nil {
			return nil, err
		}
		d.dir, d.kept = keep, true
	}
	d.path = filepath.Join(d.dir, demoDestination)
	doc := fmt.Sprintf(demoTemplate, srv.URL, demoPath, demoKeystore, destinationtest.DefaultPassword,
		demoTruststore, destinationtest.DefaultPassword)
	if err := writeNew(d.path, []byte(doc)); err != nil {
		return nil, err
	}
	return d, nil
}

// keepFiles copies the keystores into dir, which it makes if missing,
// refusing to overwrite anything there.
func keepFiles(dir string, cfg *destination.Config) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("demo: --keep: %w", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, demoDestination)); err == nil {
		return fmt.Errorf("demo: --keep: %s already exists; choose an empty folder", filepath.Join(dir, demoDestination))
	}
	for _, f := range []struct{ from, to string }{{cfg.KeystoreFile, demoKeystore}, {cfg.TruststoreFile, demoTruststore}} {
		data, err := os.ReadFile(f.from)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if err := writeNew(filepath.Join(dir, f.to), data); err != nil {
			return err
		}
	}
	return nil
}

// writeNew writes a file readable by its owner alone, refusing to replace
// one that exists.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("demo: --keep: %s already exists; choose an empty folder", path)
		}
		return fmt.Errorf("demo: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("demo: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("demo: write %s: %w", path, err)
	}
	return nil
}

// deliver loads the written destination as `courier send` would, sends a
// message and an enqueue through it, and prints what happened.
func (d *demo) deliver(ctx context.Context, w io.Writer) error {
	cfg, err := destination.Load(d.path)
	if err != nil {
		return err
	}
	client, err := destination.New(cfg)
	if err != nil {
		return err
	}
	defer client.Close()
	serverCert, err := peerCertificate(ctx, client)
	if err != nil {
		return err
	}
	d.printSetup(w, serverCert)

	res, err := client.Send(ctx, destination.Message{ID: "demo-order-42", Payload: []byte(demoPayload)})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n1. send:    status %d in %s, message id %s\n", res.Status, res.Duration.Round(time.Millisecond), res.ID)
	if err := d.enqueue(ctx, w, cfg); err != nil {
		return err
	}
	d.printReceived(w)
	return nil
}

// enqueue puts the same order into a queue with the NEO enqueue call.
func (d *demo) enqueue(ctx context.Context, w io.Writer, cfg *destination.Config) error {
	base := *cfg
	base.URL = d.srv.URL // enqueue appends its own path
	client, err := enqueue.New(&base)
	if err != nil {
		return err
	}
	defer client.Close()
	res, err := client.Enqueue(ctx, enqueue.Message{
		QueueName: "Orders/Inbound", Sender: "courier-demo",
		InboundInterface: "OrderIn", InboundInterfaceVersion: "1.0",
		Payload: []byte(demoPayload),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "2. enqueue: status %d in %s, message id %s\n", res.Status, res.Duration.Round(time.Millisecond), res.ID)
	return nil
}

// peerCertificate shakes hands with the server as the client does and
// returns the certificate the server shows.
func peerCertificate(ctx context.Context, client *destination.Client) (*x509.Certificate, error) {
	u, err := url.Parse(client.Config().URL)
	if err != nil {
		return nil, err
	}
	tc := client.TLSConfig()
	tc.ServerName = u.Hostname()
	dialer := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 10 * time.Second}, Config: tc}
	conn, err := dialer.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, fmt.Errorf("demo: handshake with the demo server: %w", err)
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState().PeerCertificates[0], nil
}

func (d *demo) printSetup(w io.Writer, server *x509.Certificate) {
	fmt.Fprintf(w, "courier demo: a mutual-TLS server listens on %s and requires a client certificate.\n\n", d.srv.URL)
	where := "removed when the demo ends; keep them with --keep DIR"
	if d.kept {
		where = "kept"
	}
	fmt.Fprintf(w, "Files in %s (%s):\n", d.dir, where)
	fmt.Fprintf(w, "  %-15s the destination, in NEO's relaxed JSON\n", demoDestination)
	fmt.Fprintf(w, "  %-15s our key pair, alias \"client\", password %s\n", demoKeystore, destinationtest.DefaultPassword)
	fmt.Fprintf(w, "  %-15s the demo CA's root, which verifies the server, password %s\n", demoTruststore, destinationtest.DefaultPassword)
	fmt.Fprintf(w, "\nCertificates:\n")
	fmt.Fprintf(w, "  %-17s %s, issued by %s\n", "we present", subject(d.client.Subject.String()), subject(d.client.Issuer.String()))
	fmt.Fprintf(w, "  %-17s %s, issued by %s\n", "the server shows", subject(server.Subject.String()), subject(server.Issuer.String()))
}

// printReceived shows the requests as the server recorded them.
func (d *demo) printReceived(w io.Writer) {
	reqs := d.srv.Requests()
	fmt.Fprintf(w, "\nThe server received %s:\n", plural(len(reqs), "request"))
	for _, r := range reqs {
		target := r.Path
		if r.RawQuery != "" {
			target += "?" + r.RawQuery
		}
		fmt.Fprintf(w, "  %s %s\n", r.Method, target)
		fmt.Fprintf(w, "    over %s, from the client certificate CN=%s\n", tls.VersionName(r.TLSVersion), r.ClientSubject)
		for _, h := range []string{"Content-Type", "Idempotency-Key"} {
			if v := r.Header.Get(h); v != "" {
				fmt.Fprintf(w, "    %s: %s\n", h, v)
			}
		}
		fmt.Fprintf(w, "    body: %s\n", r.Body)
	}
}

// printNext shows the commands to try with the written destination.
func (d *demo) printNext(w io.Writer, o demoOptions) {
	path := quoteArg(d.path)
	fmt.Fprintf(w, "\nTry next:\n")
	fmt.Fprintf(w, "  courier check --destination %s\n", path)
	fmt.Fprintf(w, "  courier send --destination %s --data '<order id=\"43\"/>'\n", path)
	fmt.Fprintf(w, "  courier send --destination %s --data @order.xml --json\n", path)
	switch {
	case o.serve:
		fmt.Fprintf(w, "\nThe server runs until you press Ctrl-C.\n")
	case d.kept:
		fmt.Fprintf(w, "\nThe demo server has stopped, so these now fail with connection_failed: run 'courier demo --serve' to try them live,\nor point url in %s at a real partner.\n", demoDestination)
	default:
		fmt.Fprintf(w, "\nThe server and the folder are gone now: run 'courier demo --serve' to try these live.\n")
	}
}

// subject writes a distinguished name in quotes, as keytool shows it.
func subject(dn string) string { return "'" + strings.ReplaceAll(dn, ",", ", ") + "'" }

// quoteArg quotes a path for a POSIX shell when it needs it.
func quoteArg(s string) string {
	if strings.ContainsAny(s, " '\"$`\\!*?[]{}()<>|&;#~") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
