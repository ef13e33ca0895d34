// Dequeue fills a durable queue file with 100 messages and delivers them to
// an embedded mutual-TLS partner server (destinationtest) with a
// dequeue.Dispatcher, then checks that every message arrived:
//
//	go run ./examples/dequeue
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

const messages = 100

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dequeue example:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	return destinationtest.Run(func(tb destinationtest.TB) error {
		// A partner endpoint that requires a client certificate, and a
		// destination (keystores included) pointing at it.
		server := destinationtest.NewServer(tb)
		cfg := server.Destination(tb, destinationtest.WithPath("/in"))
		fmt.Fprintf(out, "partner server: %s (mutual TLS required)\n", cfg.URL)

		// The durable queue: one SQLite file. Put is one fsynced transaction.
		path := filepath.Join(tb.TempDir(), "outbox.db")
		q, err := dequeue.Open(path)
		if err != nil {
			return err
		}
		defer q.Close()
		if err := q.Put(ctx, orders()...); err != nil {
			return err
		}
		fmt.Fprintf(out, "queued %d messages in %s\n", messages, filepath.Base(path))

		// One dispatcher per file: the lock also makes deliveries a killed
		// predecessor left in flight due again.
		if _, err := q.LockForDispatch(); err != nil {
			return err
		}
		client, err := destination.New(cfg)
		if err != nil {
			return err
		}
		defer client.Close()
		d, err := dequeue.NewDispatcher(q, client, dequeue.WithWorkers(4))
		if err != nil {
			return err
		}
		sum, err := d.RunOnce(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "dispatched: %d delivered, %d rescheduled, %d dead\n", sum.Delivered, sum.Rescheduled, sum.Dead)
		return check(ctx, out, q, server)
	})
}

// orders are the messages to deliver, with IDs the partner can dedup on.
func orders() []dequeue.Message {
	msgs := make([]dequeue.Message, messages)
	for i := range msgs {
		msgs[i] = dequeue.Message{
			ID:      fmt.Sprintf("order-%03d", i),
			Payload: fmt.Appendf(nil, "<order n='%d'/>", i),
			Headers: map[string]string{"Content-Type": "application/xml"},
		}
	}
	return msgs
}

// check reports what the server received and fails unless every message
// arrived and the queue is empty.
func check(ctx context.Context, out io.Writer, q dequeue.Queue, server *destinationtest.Server) error {
	ids := map[string]bool{}
	reqs := server.Requests()
	for _, r := range reqs {
		ids[r.Header.Get("Idempotency-Key")] = true
	}
	stats, err := q.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "server received %d requests, %d distinct message IDs; queue: %+v\n", len(reqs), len(ids), stats)
	if len(ids) != messages || stats != (dequeue.Stats{}) {
		return fmt.Errorf("%d of %d messages arrived", len(ids), messages)
	}
	return nil
}
