package enqueue_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
	"github.com/mtlscourier/courier/enqueue"
)

func Example() {
	platform := destinationtest.NewTransport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	client, err := enqueue.New(&destination.Config{URL: "https://neo.example.com"}, destination.WithTransport(platform))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := client.Enqueue(context.Background(), enqueue.Message{
		QueueName: "Orders/Inbound", Sender: "ACME",
		InboundInterface: "OrderIn", InboundInterfaceVersion: "1.0",
		ID: "order-42", Payload: []byte("<order/>"),
	})
	fmt.Println(res.Status, err)
	r := platform.Requests()[0]
	fmt.Println(r.Method, r.Path)
	fmt.Println(r.RawQuery)
	// Output:
	// 200 <nil>
	// POST /oms/rest/queue/enqueue
	// Id=order-42&InboundInterface=OrderIn&InboundInterfaceVersion=1.0&QueueName=Orders%2FInbound&Sender=ACME
}
