package destination

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// newRetryClient owns every policy of go-retryablehttp: its default
// CheckRetry retries certificate alerts, its backoff does not cap
// Retry-After, and its logger prints URLs with query strings — so all
// three are ours, and its logger is off.
func (c *Client) newRetryClient(hc *http.Client) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:     hc,
		Logger:         nil,
		RetryWaitMin:   c.cfg.Retry.WaitMin,
		RetryWaitMax:   c.cfg.Retry.WaitMax,
		RetryMax:       c.cfg.Retry.MaxAttempts - 1,
		CheckRetry:     c.checkRetry,
		Backoff:        c.backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: c.logAttempt,
	}
}

// checkRetry retries what may succeed unchanged: connection failures,
// timeouts, 408, 429 and 5xx but 501. Everything deterministic — any other
// status, an untrusted server, a refused certificate — fails at once.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		reason := classify(err)
		if reason.Retryable() {
			c.log(ctx, warnLevel, "attempt failed, will retry if attempts remain", "reason", string(reason))
		}
		return reason.Retryable(), nil
	}
	if st := stateOf(ctx); st != nil {
		st.lastStatus = resp.StatusCode
	}
	return retryableStatus(resp.StatusCode), nil
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

// backoff waits exponentially from WaitMin, with jitter so that many senders
// do not retry in step, and honours Retry-After (seconds or an HTTP date)
// — but never waits longer than WaitMax.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	wait, ok := c.retryAfter(resp)
	if !ok {
		wait = exponential(minWait, maxWait, attempt)
	}
	wait = min(wait, maxWait)
	if resp != nil && resp.Request != nil {
		c.log(resp.Request.Context(), warnLevel, "retrying", "status", resp.StatusCode, "wait", wait.String())
	}
	return wait
}

// exponential returns a wait in [d/2, d] where d = minWait·2^attempt capped
// by maxWait.
func exponential(minWait, maxWait time.Duration, attempt int) time.Duration {
	d := minWait
	for i := 0; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After header of a retried response.
func (c *Client) retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	return RetryAfter(resp.Header, c.now())
}

// RetryAfter reads a Retry-After header — seconds or an HTTP date, relative
// to now — as a wait of at most a day. ok is false when there is none, or
// it cannot be read.
func RetryAfter(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	const longest = 24 * time.Hour
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(min(secs, int64(longest/time.Second))) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), longest), true
	}
	return 0, false
}

// logAttempt counts attempts for Result and logs each one.
func (c *Client) logAttempt(_ retryablehttp.Logger, req *http.Request, _ int) {
	st := stateOf(req.Context())
	if st == nil {
		return
	}
	st.attempts++
	c.log(req.Context(), debugLevel, "sending")
}
