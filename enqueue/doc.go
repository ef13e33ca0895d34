// Package enqueue puts a message into a remote platform queue with the
// NEO-style enqueue REST call, over the same retrying mutual-TLS client and
// with the same failure reasons as destination.Client.Send:
//
//	POST {base}/oms/rest/queue/enqueue?QueueName=…&Sender=…&InboundInterface=…&InboundInterfaceVersion=…&Id=…
//
// with the payload as the body. A destination whose url has no path (or
// just "/") gets /oms/rest/queue/enqueue appended; any other path is used as
// given.
//
//	cfg, _ := destination.Load("neo.json")
//	client, err := enqueue.New(cfg)
//	res, err := client.Enqueue(ctx, enqueue.Message{
//		QueueName: "Orders/Inbound", Sender: "ACME",
//		InboundInterface: "OrderIn", InboundInterfaceVersion: "1.0",
//		Payload: xml,
//	})
//	fmt.Println(res.ID) // generated when Message.ID is empty; the same on every retry
//
// Missing required arguments are a config_invalid error naming the
// argument, returned before any network traffic.
package enqueue
