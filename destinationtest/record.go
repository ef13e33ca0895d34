package destinationtest

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sync"
)

// Request is a copy of a request as it arrived, as Server and Transport
// record it. Every Request returned is a fresh copy: changing it changes
// nothing recorded.
type Request struct {
	Method   string      // GET, POST...
	Host     string      // the Host header: host[:port]
	Path     string      // unescaped, as url.URL.Path
	RawQuery string      // encoded query, without '?'
	Header   http.Header // as the server saw them
	Body     []byte      // the whole body, read before the handler ran

	// Form is the parsed query, plus the body of a
	// application/x-www-form-urlencoded POST, PUT or PATCH, whose values
	// come first, as http.Request.Form orders them.
	Form url.Values

	// ClientSubject is the common name of the client certificate's leaf;
	// "" when the client sent none, and always "" from Transport.
	ClientSubject string
	// TLSVersion is the negotiated version (tls.VersionTLS12 or
	// tls.VersionTLS13); 0 from Transport.
	TLSVersion uint16
}

// clone returns a deep copy.
func (r Request) clone() Request {
	r.Header = r.Header.Clone()
	r.Body = append([]byte(nil), r.Body...)
	form := make(url.Values, len(r.Form))
	for k, v := range r.Form {
		form[k] = append([]string(nil), v...)
	}
	r.Form = form
	return r
}

// newRequest records r, whose body was read into body.
func newRequest(r *http.Request, body []byte) Request {
	rec := Request{
		Method:   r.Method,
		Host:     r.Host,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
		Form:     parseForm(r, body),
	}
	if r.TLS != nil {
		rec.TLSVersion = r.TLS.Version
		if len(r.TLS.PeerCertificates) > 0 {
			rec.ClientSubject = r.TLS.PeerCertificates[0].Subject.CommonName
		}
	}
	return rec
}

// parseForm parses as http.Request.ParseForm does, leniently: a malformed
// pair is skipped, since a test wants to see the rest.
func parseForm(r *http.Request, body []byte) url.Values {
	form := url.Values{}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct == "application/x-www-form-urlencoded" {
			post, _ := url.ParseQuery(string(body))
			for k, v := range post {
				form[k] = append(form[k], v...)
			}
		}
	}
	query, _ := url.ParseQuery(r.URL.RawQuery)
	for k, v := range query {
		form[k] = append(form[k], v...)
	}
	return form
}

// recorder keeps requests in arrival order and wakes waiters on each one.
type recorder struct {
	mu      sync.Mutex
	reqs    []Request
	arrived chan struct{} // closed and replaced on every record
}

func newRecorder() *recorder {
	return &recorder{arrived: make(chan struct{})}
}

func (rc *recorder) record(r Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.reqs = append(rc.reqs, r)
	close(rc.arrived)
	rc.arrived = make(chan struct{})
}

// requests returns copies of every request so far.
func (rc *recorder) requests() []Request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return cloneAll(rc.reqs)
}

// wait blocks until n requests arrived or ctx is done, and returns copies
// of the requests so far either way.
func (rc *recorder) wait(ctx context.Context, n int) ([]Request, error) {
	for {
		rc.mu.Lock()
		reqs, arrived := rc.reqs, rc.arrived
		if len(reqs) >= n {
			defer rc.mu.Unlock()
			return cloneAll(reqs), nil
		}
		rc.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			got := rc.requests()
			return got, fmt.Errorf("destinationtest: %d of %d requests arrived: %w", len(got), n, ctx.Err())
		}
	}
}

func cloneAll(reqs []Request) []Request {
	out := make([]Request, len(reqs))
	for i, r := range reqs {
		out[i] = r.clone()
	}
	return out
}
