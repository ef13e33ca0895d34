package check

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mtlscourier/courier/destination"
)

// checkDNS resolves the URL's host.
func (r *runner) checkDNS() Result {
	t := r.target
	var detail []string
	if p := r.proxy(); p != "" {
		detail = append(detail, fmt.Sprintf("note: courier send goes through the proxy %s (from the environment); these checks connect directly", p))
	}
	if net.ParseIP(t.host) != nil {
		r.addrs = []string{t.hostPort()}
		return pass(t.host+" is an IP address: nothing to resolve", detail...)
	}
	ctx, cancel := context.WithTimeout(r.ctx, dialTimeout)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, t.host)
	if err != nil {
		return fail(destination.ClassifyError(err), fmt.Sprintf("%s does not resolve", t.host),
			append(detail, err.Error(), "fix: check the host name in url, and this machine's DNS (nslookup "+t.host+")")...)
	}
	if len(ips) == 0 {
		return fail(destination.ReasonConnectionFailed, fmt.Sprintf("%s resolves to no address", t.host),
			append(detail, "fix: check the host name in url, and this machine's DNS (nslookup "+t.host+")")...)
	}
	names := make([]string, 0, len(ips))
	for _, ip := range ips {
		names = append(names, ip.String())
		r.addrs = append(r.addrs, net.JoinHostPort(ip.String(), t.port))
	}
	return pass(fmt.Sprintf("%s resolves to %s", t.host, strings.Join(names, ", ")), detail...)
}

// proxy returns the proxy courier send would use for the URL, redacted.
func (r *runner) proxy() string {
	req := &http.Request{URL: &url.URL{Scheme: "https", Host: r.target.hostPort()}}
	p, err := http.ProxyFromEnvironment(req)
	if err != nil || p == nil {
		return ""
	}
	return p.Redacted()
}

// checkConnect opens a TCP connection to the first address that answers,
// and keeps it for the TLS checks.
func (r *runner) checkConnect() Result {
	var lines []string
	var last error
	for _, addr := range r.addrs {
		start := time.Now()
		conn, err := (&net.Dialer{Timeout: dialTimeout}).DialContext(r.ctx, "tcp", addr)
		if err == nil {
			r.conn = conn
			return pass(fmt.Sprintf("connected to %s in %s", addr, roundDuration(time.Since(start))), lines...)
		}
		last = err
		lines = append(lines, err.Error())
	}
	lines = append(lines, "fix: check the port in url, that the partner's server is up, and the firewalls and proxies on the way")
	return fail(destination.ClassifyError(last), fmt.Sprintf("no TCP connection to %s", r.target.hostPort()), lines...)
}

// roundDuration keeps a duration readable: 1.2ms, 35ms, 1.5s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond)
	case d < 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d < time.Second:
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
