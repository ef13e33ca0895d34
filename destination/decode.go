package destination

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// fieldSpec is one key a destination object may hold: its canonical name and
// how its value goes into the Config.
type fieldSpec struct {
	name   string
	decode func(d *decoder, field string, v *jsonNode)
}

// topFields lists every top-level key, in the order suggestions prefer.
var topFields = []fieldSpec{
	{"url", func(d *decoder, f string, v *jsonNode) { d.cfg.URL = d.word(f, v) }},
	{"method", func(d *decoder, f string, v *jsonNode) { d.cfg.Method = d.word(f, v) }},
	{"headers", func(d *decoder, f string, v *jsonNode) { d.cfg.Headers = d.stringMap(f, v) }},
	{"params", func(d *decoder, f string, v *jsonNode) { d.cfg.Params = d.stringMap(f, v) }},
	{"keystoreFile", func(d *decoder, f string, v *jsonNode) { d.cfg.KeystoreFile = d.str(f, v) }},
	{"keystorePass", func(d *decoder, f string, v *jsonNode) { d.cfg.KeystorePass = d.secret(f, v) }},
	{"keystoreType", func(d *decoder, f string, v *jsonNode) { d.cfg.KeystoreType = d.word(f, v) }},
	{"keyAlias", func(d *decoder, f string, v *jsonNode) { d.cfg.KeyAlias = d.str(f, v) }},
	{"keyPass", func(d *decoder, f string, v *jsonNode) { d.cfg.KeyPass = d.secret(f, v) }},
	{"truststoreFile", func(d *decoder, f string, v *jsonNode) { d.cfg.TruststoreFile = d.str(f, v) }},
	{"truststorePass", func(d *decoder, f string, v *jsonNode) { d.cfg.TruststorePass = d.secret(f, v) }},
	{"truststoreType", func(d *decoder, f string, v *jsonNode) { d.cfg.TruststoreType = d.word(f, v) }},
	{"certFile", func(d *decoder, f string, v *jsonNode) { d.cfg.CertFile = d.str(f, v) }},
	{"keyFile", func(d *decoder, f string, v *jsonNode) { d.cfg.KeyFile = d.str(f, v) }},
	{"caFile", func(d *decoder, f string, v *jsonNode) { d.cfg.CAFile = d.str(f, v) }},
	{"username", func(d *decoder, f string, v *jsonNode) { d.cfg.Username = d.str(f, v) }},
	{"password", func(d *decoder, f string, v *jsonNode) { d.cfg.Password = d.secret(f, v) }},
	{"timeout", func(d *decoder, f string, v *jsonNode) { d.cfg.Timeout = d.duration(f, v, DefaultTimeout) }},
	{"retry", func(d *decoder, f string, v *jsonNode) { d.retry(f, v) }},
	{"idHeader", func(d *decoder, f string, v *jsonNode) { d.cfg.IDHeader = d.word(f, v) }},
	{"contentType", func(d *decoder, f string, v *jsonNode) { d.cfg.ContentType = d.word(f, v) }},
	{"serverName", func(d *decoder, f string, v *jsonNode) { d.cfg.ServerName = d.word(f, v) }},
	{"minTLSVersion", func(d *decoder, f string, v *jsonNode) { d.cfg.MinTLSVersion = d.version(f, v) }},
	{"insecureSkipVerify", func(d *decoder, f string, v *jsonNode) { d.cfg.InsecureSkipVerify = d.boolean(f, v) }},
}

// retryFields lists the keys of the retry object.
var retryFields = []fieldSpec{
	{"maxAttempts", func(d *decoder, f string, v *jsonNode) { d.cfg.Retry.MaxAttempts = d.attempts(f, v) }},
	{"waitMin", func(d *decoder, f string, v *jsonNode) { d.cfg.Retry.WaitMin = d.duration(f, v, DefaultWaitMin) }},
	{"waitMax", func(d *decoder, f string, v *jsonNode) { d.cfg.Retry.WaitMax = d.duration(f, v, DefaultWaitMax) }},
}

// decoder fills a Config from a parsed object, expanding values as it goes
// and collecting one *FieldError per bad field rather than stopping.
type decoder struct {
	s      *parseSettings
	cfg    *Config
	errs   []error
	broken map[string]bool // fields that failed here: validation skips rules that read them
	order  map[string]int  // top-level key → offset in the file, to sort errors
}

func newDecoder(s *parseSettings) *decoder {
	return &decoder{s: s, cfg: &Config{}, broken: map[string]bool{}, order: map[string]int{}}
}

func (d *decoder) fail(field string, err error) {
	d.errs = append(d.errs, &FieldError{Field: field, Err: err})
	d.broken[field] = true
}

func (d *decoder) failf(field, format string, args ...any) {
	d.fail(field, fmt.Errorf(format, args...))
}

func (d *decoder) decode(root *jsonNode) *Config {
	d.members("", root, topFields)
	return d.cfg
}

// members decodes each member of obj with the matching spec; prefix is ""
// at the top level or "retry." inside retry. A null value counts as absent.
func (d *decoder) members(prefix string, obj *jsonNode, specs []fieldSpec) {
	for _, m := range obj.members {
		spec, ok := d.match(m.key, specs)
		field := prefix + spec.name
		if !ok {
			field = prefix + shortKey(m.key)
		}
		if prefix == "" {
			d.order[field] = m.off
		}
		switch {
		case !ok:
			d.fail(field, d.unknown(m.key, specs))
		case m.value.kind != kindNull:
			spec.decode(d, field, m.value)
		}
	}
}

// match finds key's spec: case-insensitively, or exactly under Strict.
func (d *decoder) match(key string, specs []fieldSpec) (fieldSpec, bool) {
	for _, s := range specs {
		if s.name == key || !d.s.strict && strings.EqualFold(s.name, key) {
			return s, true
		}
	}
	return fieldSpec{}, false
}

// unknown explains an unknown key, suggesting the field it is closest to:
// a typo must never silently drop a keystore.
func (d *decoder) unknown(key string, specs []fieldSpec) error {
	if len(d.errs) >= maxReported {
		return ErrUnknownField // not shown (see maxReported): spare the work
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	guess := suggest(key, names)
	switch {
	case guess != "" && strings.EqualFold(guess, key):
		return fmt.Errorf("%w; did you mean %q? Strict() needs keys in their exact case", ErrUnknownField, guess)
	case guess != "":
		return fmt.Errorf("%w; did you mean %q?", ErrUnknownField, guess)
	}
	return fmt.Errorf("%w; remove it (known fields: %s)", ErrUnknownField, strings.Join(names, ", "))
}

// str returns a string value with ${NAME} expanded.
func (d *decoder) str(field string, v *jsonNode) string {
	if v.kind != kindString {
		d.failf(field, "want a string, got %s; put the value in quotes", v.kind)
		return ""
	}
	s, err := expandVars(v.text, d.s.lookup)
	if err != nil {
		d.fail(field, err)
	}
	return s
}

// word is str with surrounding spaces trimmed, for values that are names
// or URLs, where spaces are only ever a copy-paste accident.
func (d *decoder) word(field string, v *jsonNode) string {
	return strings.TrimSpace(d.str(field, v))
}

// version decodes minTLSVersion, which may be written as a number: 1.2.
func (d *decoder) version(field string, v *jsonNode) string {
	if v.kind == kindNumber {
		return v.text
	}
	return d.word(field, v)
}

// scalar is str that also takes a number or boolean as its text: params
// and header values, and passwords such as 123456.
func (d *decoder) scalar(field string, v *jsonNode) (string, bool) {
	switch v.kind {
	case kindNumber, kindBool:
		return v.text, true
	case kindString:
		s, err := expandVars(v.text, d.s.lookup)
		if err != nil {
			d.fail(field, err)
			return "", false
		}
		return s, true
	}
	d.failf(field, "want a string, got %s", v.kind)
	return "", false
}

// secret decodes a password field: a literal, env:NAME or file:PATH.
func (d *decoder) secret(field string, v *jsonNode) Secret {
	s, ok := d.scalar(field, v)
	if !ok {
		return Secret{}
	}
	sec, err := resolveSecret(s, d.s)
	if err != nil {
		d.fail(field, err)
	}
	return sec
}

// stringMap decodes headers or params: an object whose values are strings,
// numbers or booleans. An empty object is the same as none.
func (d *decoder) stringMap(field string, v *jsonNode) map[string]string {
	if v.kind != kindObject {
		d.failf(field, "want an object such as {'name': 'value'}, got %s", v.kind)
		return nil
	}
	if len(v.members) == 0 {
		return nil
	}
	out := make(map[string]string, len(v.members))
	for _, m := range v.members {
		if s, ok := d.scalar(field+"."+shortKey(m.key), m.value); ok {
			out[m.key] = s
		}
	}
	return out
}

func (d *decoder) retry(field string, v *jsonNode) {
	if v.kind != kindObject {
		d.failf(field, "want an object such as {maxAttempts: 4, waitMin: '500ms', waitMax: '30s'}, got %s", v.kind)
		return
	}
	d.members(field+".", v, retryFields)
}

// duration decodes a Go duration string ("30s", "1m30s") or a number of
// seconds (30, 0.5, or the string "30"). Zero and negative durations are
// refused here, since in the Config zero means the default.
func (d *decoder) duration(field string, v *jsonNode, def time.Duration) time.Duration {
	text, ok := d.scalar(field, v)
	if !ok {
		return 0
	}
	if v.kind == kindBool {
		d.failf(field, "want a duration such as '30s' or a number of seconds, got a boolean")
		return 0
	}
	dur, err := parseDuration(strings.TrimSpace(text))
	if err != nil {
		d.failf(field, "%v; write a duration such as '30s' or '1m30s', or a number of seconds", err)
		return 0
	}
	if dur <= 0 {
		d.failf(field, "must be positive; leave it out for the default %s", def)
		return 0
	}
	return dur
}

// parseDuration reads a duration with a unit, or a bare number of seconds.
func parseDuration(s string) (time.Duration, error) {
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil {
		dur, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("not a duration")
		}
		return dur, nil
	}
	if math.IsNaN(secs) || math.Abs(secs) > float64(math.MaxInt64)/float64(time.Second) {
		return 0, fmt.Errorf("out of range")
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// attempts decodes retry.maxAttempts: a whole number, or one in a string.
func (d *decoder) attempts(field string, v *jsonNode) int {
	text, ok := d.scalar(field, v)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if v.kind == kindBool || err != nil || n < 1 {
		d.failf(field, "want a whole number from 1 to %d; leave it out for the default %d", maxAttemptsLimit, DefaultMaxAttempts)
		return 0
	}
	return n
}

// boolean decodes insecureSkipVerify. Only true, or the string "true" in
// any case, turns it on; only false or "false" leave it off. Anything else
// (1, "yes", "") is refused, so a certificate check is never switched off
// by a value that merely looks truthy.
func (d *decoder) boolean(field string, v *jsonNode) bool {
	text := v.text
	if v.kind == kindString {
		text = strings.ToLower(d.str(field, v))
	}
	if (v.kind == kindBool || v.kind == kindString) && (text == "true" || text == "false") {
		return text == "true"
	}
	if !d.broken[field] {
		d.failf(field, "want true or false, got %s; nothing else is accepted here", describeValue(v))
	}
	return false
}

// describeValue names a value's type for a message without repeating it.
func describeValue(v *jsonNode) string {
	switch {
	case v.kind == kindString && v.text == "":
		return "an empty string"
	case v.kind == kindString:
		return "another string"
	}
	return v.kind.String()
}

// sortErrors orders errs by where their field's key is in the file, so
// messages follow the file; problems with absent fields come last, stably.
func (d *decoder) sortErrors(errs []error) {
	pos := func(err error) int {
		fe, ok := err.(*FieldError)
		if !ok {
			return math.MaxInt
		}
		if off, ok := d.order[fe.Field]; ok { // a top-level key, maybe an unknown "a.b"
			return off
		}
		top, _, _ := strings.Cut(fe.Field, ".")
		if off, ok := d.order[top]; ok {
			return off
		}
		return math.MaxInt
	}
	slices.SortStableFunc(errs, func(a, b error) int { return cmp.Compare(pos(a), pos(b)) })
}

// suggest returns the name in names closest to key, or "" when none is
// close: same letters ignoring case and '_', '-', '.'; or a prefix of at
// least four letters; or a small edit distance.
func suggest(key string, names []string) string {
	k := foldKey(key)
	best, bestDist := "", math.MaxInt
	for _, n := range names {
		f := foldKey(n)
		if f == k {
			return n
		}
		if len(k) >= 4 && (strings.HasPrefix(f, k) || strings.HasPrefix(k, f)) && bestDist > 1 {
			best, bestDist = n, 1
			continue
		}
		if dist := editDistance(k, f); dist < bestDist && dist <= maxTypoDistance(k) {
			best, bestDist = n, dist
		}
	}
	return best
}

func maxTypoDistance(key string) int {
	if len(key) < 4 {
		return 1
	}
	return 2 + len(key)/8
}

func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == '.' {
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// editDistance is the Levenshtein distance between a and b, in bytes (keys
// are ASCII); inputs are short keys, bounded by the caller's file size.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return math.MaxInt // no key is that long; skip the quadratic work
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
