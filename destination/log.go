package destination

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
)

const (
	debugLevel = slog.LevelDebug
	warnLevel  = slog.LevelWarn
)

// sendState is one Send call's state, carried in the request's context
// through go-retryablehttp to its hooks.
type sendState struct {
	id         string
	url        string // redacted
	attempts   int
	lastStatus int // status of the last response, 0 before one came
}

type sendStateKey struct{}

func withSendState(ctx context.Context, st *sendState) context.Context {
	return context.WithValue(ctx, sendStateKey{}, st)
}

func stateOf(ctx context.Context) *sendState {
	st, _ := ctx.Value(sendStateKey{}).(*sendState)
	return st
}

// log writes one record with the fixed keys of the Send in ctx followed by
// kv; it builds nothing when the level is off (the silent default).
func (c *Client) log(ctx context.Context, level slog.Level, msg string, kv ...any) {
	if !c.logger.Enabled(ctx, level) {
		return
	}
	c.logger.LogAttrs(ctx, level, msg, sendAttrs(ctx, kv...)...)
}

// sendAttrs returns the fixed log keys of a Send (id, url, attempt) followed
// by the extra key/value pairs.
func sendAttrs(ctx context.Context, kv ...any) []slog.Attr {
	var attrs []slog.Attr
	if st := stateOf(ctx); st != nil {
		attrs = append(attrs, slog.String("id", st.id), slog.String("url", st.url), slog.Int("attempt", st.attempts))
	}
	for i := 0; i+1 < len(kv); i += 2 {
		key, _ := kv[i].(string)
		attrs = append(attrs, slog.Any(key, kv[i+1]))
	}
	return attrs
}

// redactURL drops the query string (it may hold the payload or tokens) and
// any user:password from a URL before it is logged or put in an error.
func redactURL(raw string) string {
	// Templates are not valid escapes: show them as {payload} and {id}.
	raw = strings.NewReplacer(payloadVar, "{payload}", idVar, "{id}").Replace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparseable url]"
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = "[REDACTED]"
	}
	u.Fragment = ""
	return strings.NewReplacer("%7Bpayload%7D", "{payload}", "%7Bid%7D", "{id}").Replace(u.String())
}
