package dequeue_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mtlscourier/courier/dequeue"
	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// A partner that is unavailable for the first attempt: the message is
// rescheduled at once (the default schedule's first retry) and delivered,
// and nothing holds back the others.
func Example() {
	partner := destinationtest.NewTransport(nil)
	partner.FailStatus(1, http.StatusServiceUnavailable, "")
	client, err := destination.New(&destination.Config{
		URL:   "https://partner.example.com/in",
		Retry: destination.Retry{MaxAttempts: 1}, // no fast retries: show the dispatcher's
	}, destination.WithTransport(partner))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	q := dequeue.NewMemory()
	defer q.Close()
	err = q.Put(ctx,
		dequeue.Message{ID: "order-1", Payload: []byte("<order n='1'/>")},
		dequeue.Message{ID: "order-2", Payload: []byte("<order n='2'/>")},
		dequeue.Message{ID: "order-3", Payload: []byte("<order n='3'/>")},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := dequeue.NewDispatcher(q, client, dequeue.WithWorkers(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := d.RunOnce(ctx)
	fmt.Printf("%+v %v\n", sum, err)
	for _, r := range partner.Requests() {
		fmt.Println(r.Header.Get("Idempotency-Key"), string(r.Body))
	}
	// Output:
	// {Delivered:3 Rescheduled:1 Dead:0} <nil>
	// order-1 <order n='1'/>
	// order-2 <order n='2'/>
	// order-3 <order n='3'/>
	// order-1 <order n='1'/>
}

// A 400 will fail the same way every time: the message goes to the dead
// letters at once, with its reason, to be requeued once the cause is fixed.
func ExampleQueue_Dead() {
	partner := destinationtest.NewTransport(nil)
	partner.FailStatus(1, http.StatusBadRequest, "")
	client, err := destination.New(&destination.Config{URL: "https://partner.example.com/in"},
		destination.WithTransport(partner))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	q := dequeue.NewMemory()
	defer q.Close()
	if err := q.Put(ctx, dequeue.Message{ID: "order-9", Payload: []byte("<order/>")}); err != nil {
		fmt.Println(err)
		return
	}
	d, err := dequeue.NewDispatcher(q, client)
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, _ := d.RunOnce(ctx)
	fmt.Printf("%+v\n", sum)
	dead, _ := q.Dead(ctx)
	fmt.Println(dead[0].ID, dead[0].Reason, dead[0].Attempts)

	n, _ := q.Requeue(ctx, "order-9")
	sum, _ = d.RunOnce(ctx)
	fmt.Printf("requeued %d: %+v\n", n, sum)
	// Output:
	// {Delivered:0 Rescheduled:0 Dead:1}
	// order-9 http_status 1
	// requeued 1: {Delivered:1 Rescheduled:0 Dead:0}
}
