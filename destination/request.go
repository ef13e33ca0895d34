package destination

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

const (
	payloadVar = "%{payload}"
	idVar      = "%{id}"
)

// newRequest shapes the request as NEO does: POST with params sends them as
// a form, GET with params sends them in the query string, and without
// params the payload is the raw body. %{payload} and %{id} are replaced in
// the url (escaped), the params and the header values.
func (c *Client) newRequest(ctx context.Context, msg *Message, id string) (*retryablehttp.Request, error) {
	payload, err := c.templatePayload(msg)
	if err != nil {
		return nil, err
	}
	var r *strings.Replacer
	fill := func(s string) string {
		if !strings.Contains(s, "%{") {
			return s
		}
		if r == nil {
			r = strings.NewReplacer(payloadVar, string(payload), idVar, id)
		}
		return r.Replace(s)
	}
	target, err := c.targetURL(payload, id)
	if err != nil {
		return nil, err
	}
	if len(msg.Query) > 0 {
		q := target.Query()
		for k, vs := range msg.Query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		target.RawQuery = q.Encode()
	}
	var body any
	contentType := ""
	switch {
	case len(c.cfg.Params) > 0 && c.cfg.Method == http.MethodGet:
		q := target.Query()
		for k, v := range c.cfg.Params {
			q.Set(k, fill(v))
		}
		target.RawQuery = q.Encode()
	case len(c.cfg.Params) > 0:
		form := url.Values{}
		for k, v := range c.cfg.Params {
			form.Set(k, fill(v))
		}
		body, contentType = []byte(form.Encode()), "application/x-www-form-urlencoded"
	case c.cfg.Method == http.MethodPost:
		body, contentType = rawBody(msg), c.cfg.ContentType
	}
	rawCase := len(c.cfg.Params) == 0 && c.cfg.Method == http.MethodPost
	if msg.size() > 0 && payload == nil && !rawCase {
		// Never drop a message silently.
		return nil, &Error{Reason: ReasonConfigInvalid, Field: "params",
			Err: errors.New("the payload would be dropped: with params (or GET) it travels only where %{payload} appears in params, url or headers")}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, c.cfg.Method, target.String(), body)
	if err != nil {
		return nil, &Error{Reason: ReasonConfigInvalid, Field: "url", Err: err}
	}
	if err := c.setHeaders(req.Request, msg, id, fill); err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if contentType != "" && msg.size() > expectContinueAbove {
		// Lets a TLS 1.3 server refuse our certificate before we stream a
		// large body into a connection it is closing.
		req.Header.Set("Expect", "100-continue")
	}
	return req, nil
}

// templatePayload returns the payload when a template uses it, nil otherwise.
func (c *Client) templatePayload(msg *Message) ([]byte, error) {
	if !c.payloadInTemplates {
		return nil, nil
	}
	b, err := msg.payloadBytes()
	if err != nil {
		return nil, &Error{Reason: ReasonConfigInvalid, Field: "params", Err: err}
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// usesPayloadVar reports whether %{payload} appears in the url, params or
// headers; New works it out once.
func (c *Client) usesPayloadVar() bool {
	if strings.Contains(c.cfg.URL, payloadVar) {
		return true
	}
	for _, v := range c.cfg.Params {
		if strings.Contains(v, payloadVar) {
			return true
		}
	}
	for _, v := range c.cfg.Headers {
		if strings.Contains(v, payloadVar) {
			return true
		}
	}
	return false
}

// targetURL fills the url's templates: escaped as a path segment before
// the '?', as a query value after it.
func (c *Client) targetURL(payload []byte, id string) (*url.URL, error) {
	raw := c.cfg.URL
	if c.fixedURL != nil {
		u := *c.fixedURL
		return &u, nil
	}
	path, query, hasQuery := strings.Cut(raw, "?")
	filled := fillEscaped(path, payload, id, url.PathEscape)
	if hasQuery {
		filled += "?" + fillEscaped(query, payload, id, url.QueryEscape)
	}
	u, err := url.Parse(filled)
	if err != nil {
		return nil, &Error{Reason: ReasonConfigInvalid, Field: "url", Err: errors.New("the url is not valid once %{payload}/%{id} are filled in")}
	}
	return u, nil
}

func fillEscaped(s string, payload []byte, id string, escape func(string) string) string {
	return strings.NewReplacer(payloadVar, escape(string(payload)), idVar, escape(id)).Replace(s)
}

func (c *Client) setHeaders(req *http.Request, msg *Message, id string, fill func(string) string) error {
	for k, v := range c.cfg.Headers {
		v = fill(v)
		if strings.ContainsAny(v, "\r\n") {
			return &Error{Reason: ReasonConfigInvalid, Field: "headers",
				Err: errors.New("header " + k + " would contain a line break once %{payload} is filled in: use params or the body for this payload")}
		}
		req.Header.Set(k, v)
	}
	for k, vs := range msg.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set(c.cfg.IDHeader, id)
	if c.cfg.Username != "" {
		pass := c.cfg.Password.Bytes()
		req.SetBasicAuth(c.cfg.Username, string(pass))
		clear(pass)
	}
	return nil
}

// rawBody returns a body go-retryablehttp can re-read on every attempt.
func rawBody(msg *Message) any {
	if msg.Body == nil {
		return msg.Payload
	}
	ra, size := msg.Body, msg.Size
	return retryablehttp.ReaderFunc(func() (io.Reader, error) {
		return sectionReader{io.NewSectionReader(ra, 0, size)}, nil
	})
}
