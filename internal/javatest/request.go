package javatest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Request is one request as the Java server received it.
type Request struct {
	Method   string
	Path     string // raw (still percent-encoded) path
	RawQuery string // raw query, without "?"
	Header   http.Header
	Body     []byte
	// ClientSubject is the client certificate's subject DN in RFC 2253 form
	// ("CN=client,O=Courier Test"), or "" when the client sent none.
	ClientSubject string
	// Protocol is the negotiated TLS version as Java names it ("TLSv1.3").
	Protocol string
}

// wireRequest is the JSON MtlsServer prints after "REQUEST ".
type wireRequest struct {
	Method        string              `json:"method"`
	Path          string              `json:"path"`
	RawQuery      string              `json:"rawQuery"`
	Headers       map[string][]string `json:"headers"`
	Body          []byte              `json:"body"` // base64, which encoding/json decodes
	ClientSubject string              `json:"clientSubject"`
	Protocol      string              `json:"protocol"`
}

// parseRequest decodes the JSON of one REQUEST line.
func parseRequest(line []byte) (Request, error) {
	var w wireRequest
	if err := json.Unmarshal(line, &w); err != nil {
		return Request{}, fmt.Errorf("javatest: malformed REQUEST line from the Java server: %w", err)
	}
	h := make(http.Header, len(w.Headers))
	for name, values := range w.Headers {
		for _, v := range values {
			h.Add(name, latin1Bytes(v))
		}
	}
	return Request{
		Method:        w.Method,
		Path:          w.Path,
		RawQuery:      w.RawQuery,
		Header:        h,
		Body:          w.Body,
		ClientSubject: w.ClientSubject,
		Protocol:      w.Protocol,
	}, nil
}

// latin1Bytes undoes the JDK's ISO-8859-1 decoding of header bytes, so a
// UTF-8 header value reads as the client sent it.
func latin1Bytes(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return s // not Latin-1: keep what Java gave
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// clone copies r deeply enough that callers may change what they get.
func (r Request) clone() Request {
	r.Header = r.Header.Clone()
	r.Body = append([]byte(nil), r.Body...)
	return r
}
