package dequeue_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/mtlscourier/courier/dequeue"
)

// benchQueues are the queues the benchmarks compare. The SQLite file is in
// the test's temporary directory: Put's figures are those of that disk's
// fsync; Lease and Ack do not wait for the disk (see Open), so theirs are
// SQLite's CPU and write(2) calls.
var benchQueues = []struct {
	name string
	open func(b *testing.B) dequeue.Queue
}{
	{"memory", func(b *testing.B) dequeue.Queue { return dequeue.NewMemory() }},
	{"sqlite", func(b *testing.B) dequeue.Queue {
		q, err := dequeue.Open(filepath.Join(b.TempDir(), "queue.db"))
		if err != nil {
			b.Fatal(err)
		}
		return q
	}},
}

// benchPayload is a typical small business document.
var benchPayload = make([]byte, 1024)

func BenchmarkPut(b *testing.B) {
	for _, bq := range benchQueues {
		for _, batch := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/batch=%d", bq.name, batch), func(b *testing.B) {
				q := bq.open(b)
				defer q.Close()
				ctx := context.Background()
				msgs := make([]dequeue.Message, batch)
				b.ResetTimer()
				for i := range b.N {
					for j := range msgs {
						msgs[j] = dequeue.Message{ID: fmt.Sprintf("m-%d-%d", i, j), Payload: benchPayload}
					}
					if err := q.Put(ctx, msgs...); err != nil {
						b.Fatal(err)
					}
				}
				reportRate(b, b.N*batch)
			})
		}
	}
}

// BenchmarkLeaseAck leases up to max messages and acks each, as a
// dispatcher does with a queue that never runs dry.
func BenchmarkLeaseAck(b *testing.B) {
	for _, bq := range benchQueues {
		for _, max := range []int{1, 10} {
			b.Run(fmt.Sprintf("%s/max=%d", bq.name, max), func(b *testing.B) {
				q := bq.open(b)
				defer q.Close()
				ctx := context.Background()
				fill(b, q, b.N*max)
				req := dequeue.LeaseRequest{Max: max, Visibility: time.Minute}
				b.ResetTimer()
				for range b.N {
					msgs, err := q.Lease(ctx, req)
					if err != nil || len(msgs) != max {
						b.Fatalf("leased %d of %d: %v", len(msgs), max, err)
					}
					for _, m := range msgs {
						if err := q.Ack(ctx, m.ID); err != nil {
							b.Fatal(err)
						}
					}
				}
				reportRate(b, b.N*max)
			})
		}
	}
}

// fill puts n messages in batches.
func fill(b *testing.B, q dequeue.Queue, n int) {
	b.Helper()
	const batch = 1000
	msgs := make([]dequeue.Message, 0, batch)
	for i := range n {
		msgs = append(msgs, dequeue.Message{ID: fmt.Sprintf("m-%d", i), Payload: benchPayload})
		if len(msgs) == batch || i == n-1 {
			if err := q.Put(context.Background(), msgs...); err != nil {
				b.Fatal(err)
			}
			msgs = msgs[:0]
		}
	}
}

func reportRate(b *testing.B, msgs int) {
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
}
