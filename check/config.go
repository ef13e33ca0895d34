package check

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/mtlscourier/courier/destination"
)

// target is where the destination's URL points.
type target struct {
	host       string // as in the URL, without brackets
	port       string
	serverName string // the name the server's certificate must hold
	origin     string // https://host:port, for commands to print
	path       string // the URL's path, for messages
	plain      bool   // http://: no TLS to check
}

func (t target) hostPort() string { return net.JoinHostPort(t.host, t.port) }

// newTarget reads the host and port from a validated Config.
func newTarget(cfg *destination.Config) (target, error) {
	// %{payload} and %{id} are filled in at send time, as Validate knows.
	u, err := url.Parse(strings.NewReplacer("%{payload}", "x", "%{id}", "x").Replace(cfg.URL))
	if err != nil {
		return target{}, err
	}
	t := target{host: u.Hostname(), port: u.Port(), serverName: cfg.ServerName}
	if t.serverName == "" {
		t.serverName = t.host
	}
	t.plain = u.Scheme == "http"
	switch {
	case t.port != "":
	case t.plain:
		t.port = "80"
	default:
		t.port = "443"
	}
	t.origin = u.Scheme + "://" + t.hostPort()
	t.path = u.Path
	return t, nil
}

// checkDestination validates the Config, reporting every problem at once.
func (r *runner) checkDestination() Result {
	if err := r.cfg.Validate(); err != nil {
		lines := append(problems(err), "fix: "+destination.ReasonConfigInvalid.Advice())
		return fail(destination.ReasonConfigInvalid, "the destination is not valid", lines...)
	}
	t, err := newTarget(r.cfg)
	if err != nil { // Validate parsed it already
		return fail(destination.ReasonConfigInvalid, "the url does not parse: "+err.Error())
	}
	r.target = t
	what := fmt.Sprintf("%s to %s%s", r.cfg.Method, t.origin, t.path)
	if t.plain {
		return warn("the destination is valid, but plain http: nothing is encrypted, and there is no TLS to check: "+what,
			"fix: use the partner's https:// address")
	}
	return pass("the destination is valid: " + what)
}
