package dequeue

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// maxRetryAfter caps how long a partner's Retry-After may hold a message.
const maxRetryAfter = 24 * time.Hour

// retryable reports whether a failed delivery may succeed later with
// nothing changed: the connection failed or timed out, or the partner
// answered 408, 429 or a 5xx other than 501. Everything else (a refused
// certificate, an untrusted server, any other 4xx, a configuration error)
// fails the same way every time.
func retryable(err error) bool {
	switch destination.ReasonOf(err) {
	case destination.ReasonConnectionFailed, destination.ReasonTimeout:
		return true
	case destination.ReasonHTTPStatus:
		return retryableStatus(statusOf(err))
	}
	return false
}

func retryableStatus(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return true
	case status == http.StatusNotImplemented:
		return false
	}
	return status >= 500 && status <= 599
}

// statusOf returns the HTTP status a failure carries, 0 when none came.
func statusOf(err error) int {
	if de, ok := errors.AsType[*destination.Error](err); ok {
		return de.Status
	}
	return 0
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), capped
// at maxRetryAfter.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// detailOf is the text a dead letter keeps of err. net/http's *url.Error
// repeats the request URL, whose query may hold the payload or a token:
// only its operation and cause are kept.
func detailOf(err error) string {
	de, ok := errors.AsType[*destination.Error](err)
	if !ok {
		return withoutURL(err).Error()
	}
	e := *de
	e.Err = withoutURL(de.Err)
	return e.Error()
}

func withoutURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
