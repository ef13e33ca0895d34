package destination_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// A destination in NEO's relaxed JSON, sent through the in-memory transport
// that destinationtest provides for unit tests.
func Example() {
	partner := destinationtest.NewTransport(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "accepted")
	}))
	cfg, err := destination.Parse([]byte(`{'url': 'https://partner.example.com/in', 'method': 'POST',
		'params': {'message': '%{payload}'}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	client, err := destination.New(cfg, destination.WithTransport(partner))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := client.Send(context.Background(), destination.Message{ID: "order-42", Payload: []byte("<order/>")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Attempts, string(res.Body))
	got := partner.Requests()[0]
	fmt.Println(got.Header.Get("Idempotency-Key"), got.Form.Get("message"))
	// Output:
	// 200 1 accepted
	// order-42 <order/>
}

// A refused client certificate is not retried, and its reason says what to do.
func ExampleReasonOf() {
	partner := destinationtest.NewTransport(http.NotFoundHandler())
	partner.FailNext(1, destination.ReasonClientCertRejected)
	client, err := destination.New(&destination.Config{URL: "https://partner.example.com/in"},
		destination.WithTransport(partner))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := client.Send(context.Background(), destination.Message{Payload: []byte("x")})
	reason := destination.ReasonOf(err)
	fmt.Println(reason, res.Attempts)
	fmt.Println(reason.Advice())
	// Output:
	// client_cert_rejected 1
	// the server refused our certificate: check that the chain is complete (leaf + intermediates) and that the partner has our certificate or its CA
}

// Retries honour Retry-After, capped by waitMax, and keep the message ID.
func ExampleClient_Send_retries() {
	partner := destinationtest.NewTransport(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	partner.FailStatus(2, http.StatusServiceUnavailable, "0")
	cfg := &destination.Config{URL: "https://partner.example.com/in"}
	client, err := destination.New(cfg, destination.WithTransport(partner))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := client.Send(context.Background(), destination.Message{ID: "order-7", Payload: []byte("x")})
	fmt.Println(res.Status, res.Attempts, err)
	for _, r := range partner.Requests() {
		fmt.Println(r.Header.Get("Idempotency-Key"))
	}
	// Output:
	// 200 3 <nil>
	// order-7
	// order-7
	// order-7
}
