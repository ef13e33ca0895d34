package enqueue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/mtlscourier/courier/destination"
)

// Path is where NEO-style platforms take inbound messages.
const Path = "/oms/rest/queue/enqueue"

// Message is one message for a remote queue. The four arguments NEO
// requires must be set; the others are optional.
type Message struct {
	QueueName               string // required; may contain '/'
	Sender                  string // required
	InboundInterface        string // required
	InboundInterfaceVersion string // required

	InboundQueueEnterpriseName string // optional
	ID                         string // optional: generated when empty, and reported in Result.ID

	Payload []byte
	Body    io.ReaderAt // instead of Payload, for large files: re-read on every attempt
	Size    int64
}

// Client enqueues messages into one platform's queues.
type Client struct {
	dest *destination.Client
}

// New builds an enqueue client for the platform cfg describes. The
// destination must use POST without params (the payload is the body); opts
// are the destination client's options.
func New(cfg *destination.Config, opts ...destination.Option) (*Client, error) {
	if cfg == nil {
		return nil, invalid("", errors.New("nil Config"))
	}
	c := *cfg
	if len(c.Params) > 0 {
		return nil, invalid("params", errors.New("enqueue sends the payload as the body: remove params from the destination"))
	}
	if c.Method != "" && !strings.EqualFold(c.Method, "POST") {
		return nil, invalid("method", fmt.Errorf("enqueue is a POST, not %s: remove method or set it to POST", c.Method))
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, invalid("url", errors.New("not a valid URL"))
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = Path
		c.URL = u.String()
	}
	dest, err := destination.New(&c, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{dest: dest}, nil
}

// Enqueue sends msg into its queue. The Result carries the message ID
// (generated when msg.ID is empty), the status, attempts and duration; on
// failure too, next to a *destination.Error with the reason.
func (c *Client) Enqueue(ctx context.Context, msg Message) (destination.Result, error) {
	if err := msg.validate(); err != nil {
		return destination.Result{ID: msg.ID}, err
	}
	id := msg.ID
	if id == "" {
		id = destination.NewID()
	}
	return c.dest.Send(ctx, destination.Message{
		ID:      id,
		Payload: msg.Payload,
		Body:    msg.Body,
		Size:    msg.Size,
		Query:   msg.query(id),
	})
}

// Close closes the client's idle connections.
func (c *Client) Close() error { return c.dest.Close() }

// query returns the NEO query arguments; url.Values encodes them, '/' in a
// queue name included.
func (m *Message) query(id string) url.Values {
	q := url.Values{
		"QueueName":               {m.QueueName},
		"Sender":                  {m.Sender},
		"InboundInterface":        {m.InboundInterface},
		"InboundInterfaceVersion": {m.InboundInterfaceVersion},
		"Id":                      {id},
	}
	if m.InboundQueueEnterpriseName != "" {
		q.Set("InboundQueueEnterpriseName", m.InboundQueueEnterpriseName)
	}
	return q
}

// validate reports every missing required argument at once.
func (m *Message) validate() error {
	var errs []error
	for _, arg := range []struct{ name, value string }{
		{"QueueName", m.QueueName},
		{"Sender", m.Sender},
		{"InboundInterface", m.InboundInterface},
		{"InboundInterfaceVersion", m.InboundInterfaceVersion},
	} {
		if strings.TrimSpace(arg.value) == "" {
			errs = append(errs, &ArgumentError{Argument: arg.name})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return invalid(errs[0].(*ArgumentError).Argument, errors.Join(errs...))
}

// ArgumentError names a required enqueue argument that is missing.
type ArgumentError struct {
	Argument string // QueueName, Sender, InboundInterface or InboundInterfaceVersion
}

func (e *ArgumentError) Error() string {
	return fmt.Sprintf("enqueue: %s is required (the platform refuses an enqueue without it)", e.Argument)
}

func invalid(field string, err error) error {
	return &destination.Error{Reason: destination.ReasonConfigInvalid, Field: field, Err: err}
}
