package destination

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Message is one message to deliver.
type Message struct {
	// ID identifies the message end to end. It travels in the ID header
	// (Idempotency-Key unless idHeader says otherwise) and is the same on
	// every retry; empty means New generates one.
	ID string

	// Payload is the message content.
	Payload []byte

	// Body, when set instead of Payload, is read afresh from offset 0 on
	// every attempt, so a large file is never held in memory: pass an
	// *os.File with its Size. It is streamed only as a raw body; to fill
	// %{payload} in params it is read into memory (up to 32 MiB).
	Body io.ReaderAt
	Size int64

	// Header adds request headers for this message only.
	Header http.Header

	// Query adds query arguments to the url for this message only (the
	// enqueue call's QueueName, Sender, ...). They are encoded as given.
	Query url.Values
}

// Result says how a delivery went. Send returns it on failure too, with as
// much as is known.
type Result struct {
	ID       string
	Status   int // the last HTTP status; 0 when none came
	Attempts int
	Duration time.Duration
	Header   http.Header
	Body     []byte // the response body, up to the client's limit
}

// NewID returns a random RFC 4122 version 4 UUID, the form platforms expect
// in an Id or Idempotency-Key.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it panics instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:], b[10:])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

// payloadBytes returns the whole payload in memory (for templates).
func (m *Message) payloadBytes() ([]byte, error) {
	if m.Body == nil {
		return m.Payload, nil
	}
	if m.Size > maxTemplatedPayload {
		return nil, fmt.Errorf("a %d-byte payload is too large to put in a parameter (limit %d): send it as the raw body (no params)", m.Size, maxTemplatedPayload)
	}
	b := make([]byte, m.Size)
	if n, err := m.Body.ReadAt(b, 0); int64(n) != m.Size {
		return nil, fmt.Errorf("read payload: %d of %d bytes: %w", n, m.Size, err)
	}
	return b, nil
}

// Validate reports what makes m impossible to send as it is, before any
// network traffic: an ID or header that HTTP cannot carry, both Payload and
// Body, a negative Size. Queues call it when a message is put, so that a bad
// message is refused at once rather than retried for hours.
func (m *Message) Validate() error {
	if !validHeaderValue(m.ID) {
		return errors.New("Message.ID holds a control character (a line break?): IDs travel in a header")
	}
	for name, values := range m.Header {
		if !validToken(name) {
			return fmt.Errorf("Message.Header: %q is not a valid header name (letters, digits and !#$%%&'*+-.^_`|~ only)", name)
		}
		for _, v := range values {
			if !validHeaderValue(v) {
				return fmt.Errorf("Message.Header %s holds a control character (a line break?)", name)
			}
		}
	}
	if m.Body != nil && m.Payload != nil {
		return errors.New("Message has both Payload and Body: set one")
	}
	if m.Size < 0 {
		return fmt.Errorf("Message.Size is %d: give the size of Body", m.Size)
	}
	return nil
}

func validHeaderValue(s string) bool { return !strings.ContainsFunc(s, isCTL) }

// check refuses a Message that could not be sent whole: never send part
// of a message, or nothing, where the caller meant something.
func (m *Message) check() error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Body == nil {
		return nil
	}
	if m.Size == 0 {
		if st, ok := m.Body.(interface{ Stat() (os.FileInfo, error) }); ok {
			fi, err := st.Stat()
			if err != nil {
				return fmt.Errorf("Message.Body: %w", err)
			}
			m.Size = fi.Size()
		}
	}
	if m.Size <= 0 {
		return fmt.Errorf("Message.Size is %d: give the size of Body", m.Size)
	}
	// The last byte must be there, or every attempt would send a short
	// body and fail as a network error.
	var last [1]byte
	if _, err := m.Body.ReadAt(last[:], m.Size-1); err != nil {
		return fmt.Errorf("Message.Body holds fewer than Size=%d bytes: %w", m.Size, err)
	}
	return nil
}

func (m *Message) size() int64 {
	if m.Body != nil {
		return m.Size
	}
	return int64(len(m.Payload))
}

// sectionReader is a fresh reader of a Body for each attempt; Len lets
// go-retryablehttp set Content-Length instead of chunking.
type sectionReader struct{ *io.SectionReader }

func (r sectionReader) Len() int { return int(r.Size()) }
