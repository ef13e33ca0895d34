package dequeue_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destinationtest"
)

// Dispatcher throughput to a loopback mutual-TLS server, with the
// in-memory queue and with the durable SQLite queue (a commit per lease and
// per ack, without fsync; see Open):
//
//	go test ./dequeue -run '^$' -bench Dispatch -benchtime 5000x
func BenchmarkDispatch(b *testing.B) {
	queues := []struct {
		name string
		open func(b *testing.B) dequeue.Queue
	}{
		{name: "memory", open: func(*testing.B) dequeue.Queue { return dequeue.NewMemory() }},
		{name: "sqlite", open: func(b *testing.B) dequeue.Queue {
			q, err := dequeue.Open(filepath.Join(b.TempDir(), "bench.db"))
			require.NoError(b, err)
			return q
		}},
	}
	for _, qc := range queues {
		for _, workers := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/workers=%d", qc.name, workers), func(b *testing.B) {
				q := qc.open(b)
				b.Cleanup(func() { _ = q.Close() })
				benchmarkDispatch(b, q, workers)
			})
		}
	}
}

func benchmarkDispatch(b *testing.B, q dequeue.Queue, workers int) {
	srv := destinationtest.NewServer(b)
	d := newDispatcher(b, q, serverClient(b, srv, nil), dequeue.WithWorkers(workers))
	putMessages(b, q, "bench", b.N)
	b.ResetTimer()
	start := time.Now()
	sum, err := d.RunOnce(context.Background())
	elapsed := time.Since(start)
	b.StopTimer()
	require.NoError(b, err)
	require.Equal(b, b.N, sum.Delivered)
	b.ReportMetric(float64(sum.Delivered)/elapsed.Seconds(), "msgs/s")
}
