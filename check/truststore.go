package check

import (
	"fmt"
	"path/filepath"

	"github.com/mtlscourier/courier/destination"
)

// checkTruststore opens the CAs we trust for the server, as the client does.
func (r *runner) checkTruststore() Result {
	file := r.cfg.TruststoreFile
	if file == "" {
		file = r.cfg.CAFile
	}
	if file == "" {
		if r.cfg.InsecureSkipVerify {
			return warn("no truststore, and insecureSkipVerify is true: the server's certificate is not checked at all",
				"anyone on the network path can read and change the messages",
				"fix: set truststoreFile to the partner's CA and remove insecureSkipVerify")
		}
		return pass("no truststoreFile: the system's root CAs are trusted, as Java's cacerts are")
	}
	certs, err := destination.LoadTrustedCertificates(r.cfg)
	if err != nil {
		return keystoreFailure(err, filepath.Base(file))
	}
	r.trusted = certs
	name := filepath.Base(file)
	fix := fmt.Sprintf("fix: import the partner's CA: courier keystore trust --url %s --to %s", r.target.origin, r.cfg.Path(file))
	if len(certs) == 0 {
		return warn(fmt.Sprintf("%s holds no certificates: it trusts no server (courier send refuses it)", name), fix)
	}
	now := r.s.now()
	var lines []string
	expired := 0
	for _, c := range certs {
		state := "until " + day(c.NotAfter)
		if now.After(c.NotAfter) {
			expired++
			state = "EXPIRED on " + day(c.NotAfter)
		}
		lines = append(lines, fmt.Sprintf("%s, %s, sha256 %s", quoted(c), state, fingerprint(c)))
	}
	if expired == len(certs) {
		return warn(fmt.Sprintf("every certificate in %s has expired: it trusts no server", name), append(lines, fix)...)
	}
	return pass(fmt.Sprintf("%s trusts %s", name, plural(len(certs), "certificate")), lines...)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
