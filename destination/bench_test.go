package destination_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// Send against raw net/http with the same tls.Config, in the same run: a
// 1 KiB POST over keep-alive connections, from parallel goroutines.
//
//	go test -run '^$' -bench . -benchmem ./destination

var benchPayload = bytes.Repeat([]byte("x"), 1024)

func BenchmarkSend(b *testing.B) {
	srv := destinationtest.NewServer(b)
	client, err := destination.New(srv.Destination(b))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	b.SetBytes(int64(len(benchPayload)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.Send(context.Background(), destination.Message{Payload: benchPayload}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkRawNetHTTP(b *testing.B) {
	srv := destinationtest.NewServer(b)
	client, err := destination.New(srv.Destination(b))
	if err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: client.TLSConfig(), MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	b.SetBytes(int64(len(benchPayload)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Post(srv.URL, destination.DefaultContentType, bytes.NewReader(benchPayload))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
