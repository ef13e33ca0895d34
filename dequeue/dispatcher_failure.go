package dequeue

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// maxRetryAfter caps how long a partner's Retry-After may hold a message.
const maxRetryAfter = 24 * time.Hour

// retryable reports whether a failed delivery may succeed later with
// nothing changed, as Send judges it (destination.Error.Retryable): the
// connection failed or timed out, or the partner answered 408, 429 or a
// 5xx other than 501. Everything else (a refused certificate, an untrusted
// server, any other 4xx, a configuration error) fails the same way every
// time.
func retryable(err error) bool {
	if de, ok := errors.AsType[*destination.Error](err); ok {
		return de.Retryable()
	}
	return destination.ReasonOf(err).Retryable()
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
	wait, ok := destination.RetryAfter(h, now)
	return min(wait, maxRetryAfter), ok
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
