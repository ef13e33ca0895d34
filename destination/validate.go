package destination

import (
	"errors"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxAttemptsLimit caps retry.maxAttempts: beyond it a "retry" is a flood.
const maxAttemptsLimit = 100

// Validate checks c and reports every problem at once, as an errors.Join of
// *FieldError (nil when c is fine). It also normalises, in place: Method to
// "GET" or "POST" ("" becomes "POST"), KeystoreType and TruststoreType to
// "jks", "pkcs12" or "pem", MinTLSVersion to "1.2" or "1.3". It checks that
// every file the Config names exists and is readable (resolved with Path),
// but does not open keystores: the client does that.
func (c *Config) Validate() error { return errors.Join(c.validate(nil)...) }

// validate runs every rule. A rule that reads a field in broken (one the
// decoder already reported) is skipped, so one mistake is reported once.
func (c *Config) validate(broken map[string]bool) []error {
	v := &validator{c: c, broken: broken}
	v.url()
	v.method()
	v.storeTypes()
	v.clientKey()
	v.trust()
	v.files()
	v.basicAuth()
	v.tls()
	v.durations()
	v.headers()
	v.params()
	v.media()
	return v.errs
}

type validator struct {
	c      *Config
	broken map[string]bool
	errs   []error
}

// add records err unless its field, or a field the rule read, is broken.
func (v *validator) add(err *FieldError, read ...string) {
	if v.broken[err.Field] {
		return
	}
	for _, f := range read {
		if v.broken[f] {
			return
		}
	}
	v.errs = append(v.errs, err)
}

func (v *validator) url() {
	c := v.c
	if c.URL == "" {
		v.add(fieldErr("url", "required; set it to the partner's https:// address"))
		return
	}
	// %{payload} and %{id} are filled in at send time; url.Parse would
	// reject them as bad escapes.
	u, err := url.Parse(strings.NewReplacer("%{payload}", "x", "%{id}", "x").Replace(c.URL))
	if err == nil && u.Scheme == "" && u.Host == "" {
		err = errors.New("no scheme")
	}
	if err != nil && !strings.Contains(c.URL, "://") {
		v.add(fieldErr("url", "has no scheme; write it as https://host[:port]/path"))
		return
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, which may hold a password
		}
		v.add(fieldErr("url", "not a valid URL: %w; percent-encode spaces and %% signs", err))
		return
	}
	switch {
	case u.Scheme == "http":
		if set := c.tlsFields(); len(set) > 0 {
			v.add(fieldErr("url", "keystores only apply to https; use an https:// URL, or remove %s", strings.Join(set, ", ")), set...)
		}
	case u.Scheme != "https":
		v.add(fieldErr("url", "must start with https://"))
		return
	}
	if u.Hostname() == "" {
		v.add(fieldErr("url", "has no host; write it as https://host[:port]/path"))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			v.add(fieldErr("url", "port %s is out of range: use 1 to 65535", p))
		}
	}
	if u.User != nil {
		v.add(fieldErr("url", "holds credentials; move them to username and password, which are never printed"))
	}
}

// tlsFields names the set fields that only make sense over https.
func (c *Config) tlsFields() []string {
	var set []string
	for _, f := range []struct{ name, value string }{
		{"keystoreFile", c.KeystoreFile}, {"truststoreFile", c.TruststoreFile},
		{"certFile", c.CertFile}, {"keyFile", c.KeyFile}, {"caFile", c.CAFile},
	} {
		if f.value != "" {
			set = append(set, f.name)
		}
	}
	return set
}

func (v *validator) method() {
	m := strings.ToUpper(strings.TrimSpace(v.c.Method))
	switch m {
	case "":
		v.c.Method = DefaultMethod
	case "GET", "POST":
		v.c.Method = m
	default:
		v.add(fieldErr("method", "must be GET or POST"))
	}
}

// storeTypes normalises keystoreType and truststoreType.
func (v *validator) storeTypes() {
	for _, f := range []struct {
		name string
		t    *string
	}{{"keystoreType", &v.c.KeystoreType}, {"truststoreType", &v.c.TruststoreType}} {
		norm, ok := normalizeStoreType(*f.t)
		if !ok {
			v.add(fieldErr(f.name, "must be jks, pkcs12 or pem; leave it out to detect the type from the file"))
			continue
		}
		*f.t = norm
	}
}

// normalizeStoreType maps the names people and Java use for store formats
// onto "jks", "pkcs12" and "pem".
func normalizeStoreType(t string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "":
		return "", true
	case "jks":
		return "jks", true
	case "pkcs12", "pkcs#12", "p12", "pfx":
		return "pkcs12", true
	case "pem":
		return "pem", true
	}
	return "", false
}

// clientKey checks the client key pair: a keystore, or a PEM cert and key.
func (v *validator) clientKey() {
	c := v.c
	if c.KeystoreFile != "" && c.CertFile != "" {
		v.add(fieldErr("certFile", "conflicts with keystoreFile; give the client key pair once: a keystore, or certFile and keyFile"), "keystoreFile")
	}
	if c.CertFile != "" && c.KeyFile == "" {
		v.add(fieldErr("keyFile", "required with certFile; set it to the PEM private key of that certificate"), "certFile")
	}
	if c.KeyFile != "" && c.CertFile == "" {
		v.add(fieldErr("certFile", "required with keyFile; set it to the PEM certificate chain for that key"), "keyFile")
	}
	if c.KeystoreFile != "" {
		if !c.KeystorePass.IsSet() && c.KeystoreType != "pem" {
			v.add(fieldErr("keystorePass", "required with keystoreFile; set it (or env:NAME, or file:PATH), or set keystoreType to pem for an unencrypted PEM file"),
				"keystoreFile", "keystoreType")
		}
		return
	}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"keystorePass", c.KeystorePass.IsSet()}, {"keystoreType", c.KeystoreType != ""},
		{"keyAlias", c.KeyAlias != ""}, {"keyPass", c.KeyPass.IsSet()},
	} {
		if f.set {
			v.add(fieldErr(f.name, "set without keystoreFile; add keystoreFile or remove %s", f.name), "keystoreFile")
		}
	}
}

// trust checks the server's trust anchors: a truststore, or a PEM CA file.
func (v *validator) trust() {
	c := v.c
	if c.TruststoreFile != "" && c.CAFile != "" {
		v.add(fieldErr("caFile", "conflicts with truststoreFile; give the trusted CAs once: a truststore, or caFile"), "truststoreFile")
	}
	if c.TruststoreFile != "" {
		if !c.TruststorePass.IsSet() && c.TruststoreType != "pem" {
			v.add(fieldErr("truststorePass", "required with a JKS or PKCS#12 truststoreFile; set it, or set truststoreType to pem (or use caFile) for a PEM bundle"),
				"truststoreFile", "truststoreType")
		}
		return
	}
	if c.TruststorePass.IsSet() {
		v.add(fieldErr("truststorePass", "set without truststoreFile; add truststoreFile or remove truststorePass"), "truststoreFile")
	}
	if c.TruststoreType != "" {
		v.add(fieldErr("truststoreType", "set without truststoreFile; add truststoreFile or remove truststoreType"), "truststoreFile")
	}
}

// files checks that every file named exists and is readable, so a wrong
// path is reported with the rest rather than at the first send.
func (v *validator) files() {
	c := v.c
	for _, f := range []struct{ name, path string }{
		{"keystoreFile", c.KeystoreFile}, {"truststoreFile", c.TruststoreFile},
		{"certFile", c.CertFile}, {"keyFile", c.KeyFile}, {"caFile", c.CAFile},
	} {
		if f.path == "" {
			continue
		}
		if err := checkReadable(c.Path(f.path)); err != nil {
			v.add(fieldErr(f.name, "%w: %w; check the path (relative paths resolve against %s)", ErrFileUnreadable, err, dirName(c.Dir)))
		}
	}
}

// checkReadable opens path and closes it again. Only regular files count:
// opening a FIFO or a device such as /dev/stdin could block or never end.
func checkReadable(path string) error {
	if err := checkRegular(path); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

func checkRegular(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "open", Path: path, Err: errors.New("not a regular file (a pipe, device or folder): give a file")}
	}
	return nil
}

func (v *validator) basicAuth() {
	c := v.c
	if c.Username != "" && !c.Password.IsSet() {
		v.add(fieldErr("password", "required with username; set it (or env:NAME, or file:PATH)"), "username")
	}
	if c.Username == "" && c.Password.IsSet() {
		v.add(fieldErr("username", "required with password; set it, or remove password"), "password")
	}
	if strings.Contains(c.Username, ":") {
		v.add(fieldErr("username", "must not contain ':', which HTTP Basic authentication cannot carry"))
	}
}

func (v *validator) tls() {
	c := v.c
	if norm, ok := normalizeTLSVersion(c.MinTLSVersion); ok {
		c.MinTLSVersion = norm
	} else {
		v.add(fieldErr("minTLSVersion", `must be "1.2" or "1.3"; older versions are insecure`))
	}
	if strings.ContainsAny(c.ServerName, ":/ ") {
		v.add(fieldErr("serverName", "must be a bare host name, without scheme, port or path"))
	}
	if c.InsecureSkipVerify && (c.TruststoreFile != "" || c.CAFile != "") {
		v.add(fieldErr("insecureSkipVerify", "true makes truststoreFile and caFile useless; remove one or the other"),
			"truststoreFile", "caFile")
	}
}

// normalizeTLSVersion accepts "1.2", "TLSv1.2", "TLS1.3", "tls 1.3" and the
// like, and returns "1.2" or "1.3" ("" stays "").
func normalizeTLSVersion(s string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, "tls")
	t = strings.TrimPrefix(strings.TrimLeft(t, " _"), "v")
	t = strings.ReplaceAll(t, "_", ".")
	switch t {
	case "":
		return "", s == ""
	case "1.2", "1.3":
		return t, true
	}
	return "", false
}

func (v *validator) durations() {
	c := v.c
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"timeout", c.Timeout}, {"retry.waitMin", c.Retry.WaitMin}, {"retry.waitMax", c.Retry.WaitMax}} {
		if f.d < 0 {
			v.add(fieldErr(f.name, "must be positive; leave it out for the default"))
		}
	}
	if n := c.Retry.MaxAttempts; n < 0 || n > maxAttemptsLimit {
		v.add(fieldErr("retry.maxAttempts", "must be from 1 to %d; leave it out for the default %d", maxAttemptsLimit, DefaultMaxAttempts))
	}
	lo, hi := orDefault(c.Retry.WaitMin, DefaultWaitMin), orDefault(c.Retry.WaitMax, DefaultWaitMax)
	if lo > hi && lo > 0 && hi > 0 {
		v.add(fieldErr("retry.waitMin", "%s is more than retry.waitMax (%s); lower waitMin or raise waitMax", lo, hi),
			"retry.waitMax")
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func (v *validator) headers() {
	c := v.c
	idHeader := c.IDHeader
	if idHeader == "" {
		idHeader = DefaultIDHeader
	}
	if !validToken(idHeader) {
		v.add(fieldErr("idHeader", "must be a valid header name: letters, digits and !#$%%&'*+-.^_`|~"))
	}
	seen := map[string]string{}
	for _, name := range sortedKeys(c.Headers) {
		field := "headers." + shortKey(name)
		switch folded := strings.ToLower(name); {
		case !validToken(name):
			v.add(fieldErr(field, "not a valid header name: use letters, digits and !#$%%&'*+-.^_`|~"))
		case seen[folded] != "":
			v.add(fieldErr(field, "repeats header %q (names ignore case); give it once", shortKey(seen[folded])))
		case strings.EqualFold(name, idHeader):
			v.add(fieldErr(field, "is the message ID header (idHeader), which courier sets; remove it, or set idHeader to another name"), "idHeader")
		default:
			seen[folded] = name
		}
		if strings.ContainsFunc(c.Headers[name], isCTL) {
			v.add(fieldErr(field, "the value holds a line break or control character; remove it"))
		}
	}
}

func (v *validator) params() {
	if _, ok := v.c.Params[""]; ok {
		v.add(fieldErr("params", "has a parameter with an empty name; give it a name"))
	}
}

// media checks contentType, which goes on the wire as is.
func (v *validator) media() {
	if ct := v.c.ContentType; ct != "" {
		if _, _, err := mime.ParseMediaType(ct); err != nil {
			v.add(fieldErr("contentType", "not a media type such as application/json: %w", err))
		}
	}
}

// validToken reports whether s is an RFC 9110 token, as header names are.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isCTL reports control characters, which may not appear in a header value
// (tab excepted).
func isCTL(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
