package check

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/keystore"
)

// Run checks the destination cfg step by step — the configuration, our key
// pair, the truststore, then the network, the TLS handshake and the
// server's verdict on our certificate — and reports every check in the
// order of Names. It sends no HTTP request: the partner's application sees
// nothing but TLS handshakes. A check whose input an earlier failure
// removed is reported as Skip, with why.
//
// Run does not change cfg.
func Run(ctx context.Context, cfg *destination.Config, opts ...Option) Report {
	r := newRunner(ctx, newSettings(opts))
	if cfg == nil {
		r.failConfig("no destination to check", nil)
		return r.finish()
	}
	c := *cfg // Validate normalises in place
	r.cfg = &c
	r.run()
	return r.finish()
}

// RunFile loads the destination JSON at path, as `courier send` does, and
// runs the checks on it. A file that does not load is the destination
// check failing, with every problem in its Detail, and the other checks
// skipped.
func RunFile(ctx context.Context, path string, opts ...Option) Report {
	s := newSettings(opts)
	r := newRunner(ctx, s)
	cfg, err := destination.Load(path, s.parseOpts...)
	if err != nil {
		r.failConfig(fmt.Sprintf("%s does not load", path), err)
		return r.finish()
	}
	defer destroySecrets(cfg)
	r.cfg = cfg
	r.run()
	return r.finish()
}

// destroySecrets zeroes the passwords of a Config that RunFile loaded.
func destroySecrets(cfg *destination.Config) {
	for _, s := range []*destination.Secret{&cfg.KeystorePass, &cfg.KeyPass, &cfg.TruststorePass, &cfg.Password} {
		s.Destroy()
	}
}

// runner holds what the checks found, for the checks after them.
type runner struct {
	ctx context.Context
	s   settings
	cfg *destination.Config

	results []Result
	done    map[string]Result

	keyPair   *keystore.KeyPair // nil when the destination has none, or it failed to load
	missing   *x509.Certificate // the top of our chain when its issuer is missing
	trusted   []*x509.Certificate
	target    target   // where the URL points
	addrs     []string // resolved addresses, host:port
	conn      net.Conn // the connection Connect opened, for TLS
	handshake *handshake
}

func newRunner(ctx context.Context, s settings) *runner {
	return &runner{ctx: ctx, s: s, done: map[string]Result{}}
}

// run runs every check in order.
func (r *runner) run() {
	steps := []struct {
		name  string
		needs []string
		check func() Result
	}{
		{Destination, nil, r.checkDestination},
		{Keystore, []string{Destination}, r.checkKeystore},
		{Chain, []string{Keystore}, r.checkChain},
		{Validity, []string{Keystore}, r.checkValidity},
		{KeyUsage, []string{Keystore}, r.checkKeyUsage},
		{Truststore, []string{Destination}, r.checkTruststore},
		{DNS, []string{Destination}, r.checkDNS},
		{Connect, []string{DNS}, r.checkConnect},
		{TLS, []string{Connect}, r.checkTLS},
		{ServerTrust, []string{TLS, Truststore}, r.checkServerTrust},
		{Hostname, []string{TLS}, r.checkHostname},
		{CertificateRequest, []string{TLS}, r.checkCertificateRequest},
		{ClientAuth, []string{Keystore, TLS}, r.checkClientAuth},
	}
	defer r.closeConn()
	for _, st := range steps {
		if res, ok := r.failedDependency(st.needs); ok {
			r.add(skipped(st.name, res))
			continue
		}
		res := st.check()
		res.Name = st.name
		r.add(res)
	}
}

// failedDependency returns the first of needs that failed or was skipped.
func (r *runner) failedDependency(needs []string) (Result, bool) {
	for _, n := range needs {
		if res := r.done[n]; res.Status == Fail || res.Status == Skip {
			return res, true
		}
	}
	return Result{}, false
}

func (r *runner) add(res Result) {
	if res.Status != Fail {
		res.Reason = ""
	}
	if res.Detail == nil {
		res.Detail = []string{}
	}
	r.results = append(r.results, res)
	r.done[res.Name] = res
}

// failConfig reports the destination check failing, and skips the rest.
func (r *runner) failConfig(msg string, err error) {
	res := fail(destination.ReasonConfigInvalid, msg, problems(err)...)
	res.Name = Destination
	res.Detail = append(res.Detail, "fix: "+destination.ReasonConfigInvalid.Advice())
	r.add(res)
	for _, n := range Names[1:] {
		r.add(skipped(n, res))
	}
}

// finish builds the Report.
func (r *runner) finish() Report {
	rep := Report{Checks: r.results, Reason: destination.ReasonOK}
	if f, ok := rep.FirstFailure(); ok {
		rep.Reason = f.Reason
	}
	return rep
}

// problems lists the errors joined in err, one per line.
func problems(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var lines []string
		for _, e := range j.Unwrap() {
			lines = append(lines, problems(e)...)
		}
		return lines
	}
	return []string{err.Error()}
}

func pass(msg string, detail ...string) Result {
	return Result{Status: Pass, Message: msg, Detail: detail}
}

func warn(msg string, detail ...string) Result {
	return Result{Status: Warn, Message: msg, Detail: detail}
}

func fail(reason destination.Reason, msg string, detail ...string) Result {
	return Result{Status: Fail, Message: msg, Detail: detail, Reason: reason}
}

// skip is the result of a check that has nothing to look at.
func skip(msg string) Result { return Result{Status: Skip, Message: "skipped: " + msg} }

// skipped is the result of a check that could not run because dep failed
// or was skipped itself; the message names the failure at the root.
func skipped(name string, dep Result) Result {
	msg := dep.Message
	if dep.Status == Fail {
		msg = fmt.Sprintf("skipped: the %s check failed", dep.Name)
	}
	return Result{Name: name, Status: Skip, Message: msg}
}

// reasonOf returns err's Reason and the *destination.Error, if it is one.
func reasonOf(err error) (destination.Reason, *destination.Error) {
	de, _ := errors.AsType[*destination.Error](err)
	return destination.ReasonOf(err), de
}

func (r *runner) closeConn() {
	if r.conn != nil {
		_ = r.conn.Close()
	}
}
