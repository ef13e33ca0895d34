package destination

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"
)

// Send delivers msg as the destination describes, retrying what may
// succeed later (connection failures, timeouts, 408, 429, 5xx but 501) with
// exponential backoff, and nothing else. It returns the Result with the
// message ID, status, attempts and duration — on failure too, next to an
// *Error whose Reason says why.
func (c *Client) Send(ctx context.Context, msg Message) (Result, error) {
	start := time.Now()
	id := msg.ID
	if id == "" {
		id = NewID()
	}
	res := Result{ID: id}
	if err := msg.check(); err != nil {
		return res, &Error{Reason: ReasonConfigInvalid, Field: "Message", Err: err}
	}
	st := &sendState{id: id, url: c.logURL}
	ctx = withSendState(ctx, st)
	req, err := c.newRequest(ctx, &msg, id)
	if err != nil {
		return res, err
	}
	resp, err := c.retry.Do(req)
	res.Attempts, res.Duration, res.Status = st.attempts, time.Since(start), st.lastStatus
	if err != nil {
		return res, c.failure(ctx, err, res)
	}
	defer resp.Body.Close()
	res.Status, res.Header = resp.StatusCode, resp.Header
	res.Body, err = readBody(resp.Body, c.maxBody)
	res.Duration = time.Since(start)
	if err != nil {
		return res, c.failure(ctx, err, res)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &Error{Reason: ReasonHTTPStatus, Status: resp.StatusCode, Attempts: res.Attempts,
			Err: fmt.Errorf("%s %s answered %s", c.cfg.Method, st.url, resp.Status)}
		c.log(ctx, warnLevel, "delivery failed", "status", res.Status, "reason", string(e.Reason))
		return res, e
	}
	c.log(ctx, debugLevel, "delivered", "status", res.Status)
	return res, nil
}

// failure wraps a transport error in an *Error with its reason.
func (c *Client) failure(ctx context.Context, err error, res Result) error {
	if ctx.Err() != nil && res.Status != 0 {
		// The caller gave up while we waited to retry an error status:
		// that status is the last word from the server.
		c.log(ctx, warnLevel, "delivery failed", "status", res.Status, "reason", string(ReasonHTTPStatus))
		return &Error{Reason: ReasonHTTPStatus, Status: res.Status, Attempts: res.Attempts, Err: err,
			Detail: "the context ended while waiting to retry"}
	}
	reason := classify(err)
	if ue, ok := err.(*url.Error); ok {
		// Its URL is the filled-in one: a GET's query may hold the payload.
		err = &url.Error{Op: ue.Op, URL: c.logURL, Err: ue.Err}
	}
	e := &Error{Reason: reason, Attempts: res.Attempts, Err: err}
	switch {
	case reason == ReasonClientCertRejected:
		e.Detail = c.chainHint()
	case errors.Is(err, context.Canceled):
		e.Detail = "the caller cancelled the delivery"
	case reason == ReasonServerUntrusted && c.cfg.TruststoreFile == "" && c.cfg.CAFile == "":
		e.Detail = "no truststoreFile is set, so the system's roots were used: set truststoreFile to a store holding the partner's CA"
	}
	c.log(ctx, warnLevel, "delivery failed", "reason", string(reason))
	return e
}

// chainHint names the likeliest cause of a refusal that our own chain shows.
func (c *Client) chainHint() string {
	if c.tlsConfig.GetClientCertificate == nil {
		return "we sent no client certificate: set keystoreFile (or certFile and keyFile)"
	}
	cert, _ := c.tlsConfig.GetClientCertificate(nil)
	if len(cert.Certificate) == 1 && cert.Leaf != nil && !bytes.Equal(cert.Leaf.RawIssuer, cert.Leaf.RawSubject) {
		return fmt.Sprintf("our chain holds only the leaf %q, issued by %q: the intermediate CA is probably missing from the keystore",
			cert.Leaf.Subject.CommonName, cert.Leaf.Issuer.CommonName)
	}
	return ""
}

// readBody keeps up to limit bytes and drains the rest, so the connection
// goes back to the pool.
func readBody(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return b, err
	}
	_, err = io.Copy(io.Discard, r)
	return b, err
}
