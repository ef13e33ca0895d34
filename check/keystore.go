package check

import (
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/keystore"
)

// checkKeystore loads our key pair as the client does: the store with
// keystorePass, the key entry, its password, and the certificate matching
// the key.
func (r *runner) checkKeystore() Result {
	file := r.cfg.KeystoreFile
	if file == "" {
		file = r.cfg.CertFile
	}
	if file == "" {
		return warn("the destination has no client certificate: fine only if the partner does not require mutual TLS",
			"fix: set keystoreFile and keystorePass (or certFile and keyFile) to our key pair")
	}
	kp, err := destination.LoadKeyPair(r.cfg)
	if err != nil {
		return keystoreFailure(err, filepath.Base(file))
	}
	r.keyPair = kp
	entry := "the only key entry"
	if kp.Alias != "" {
		entry = fmt.Sprintf("key entry %q", kp.Alias)
	}
	leaf := kp.Leaf()
	return pass(fmt.Sprintf("%s opens: %s, its certificate matches its private key", filepath.Base(file), entry),
		fmt.Sprintf("certificate %s (%s key)", quoted(leaf), keyDescription(leaf)),
		fmt.Sprintf("issued by '%s'", dn(leaf.Issuer)))
}

// keystoreFailure explains why a keystore or truststore did not load,
// naming the field at fault.
func keystoreFailure(err error, file string) Result {
	reason, de := reasonOf(err)
	field := ""
	if de != nil {
		field = de.Field
	}
	var msg string
	switch {
	case reason == destination.ReasonKeystorePassword && field == "keyPass":
		msg = "the key entry's password is wrong (keyPass, or keystorePass when keyPass is not set)"
	case reason == destination.ReasonKeystorePassword && field != "":
		msg = fmt.Sprintf("%s does not open %s", field, file)
	case reason == destination.ReasonKeystorePassword:
		msg = fmt.Sprintf("the password cannot open %s", file)
	case errors.Is(err, keystore.ErrAmbiguousAlias):
		msg = fmt.Sprintf("%s holds several key entries: set keyAlias to the one to use", file)
	case reason == destination.ReasonKeyNotFound:
		msg = fmt.Sprintf("%s has no key entry that keyAlias selects", file)
	case errors.Is(err, keystore.ErrKeyMismatch):
		msg = fmt.Sprintf("in %s, the certificate does not match the private key", file)
	case field != "":
		msg = fmt.Sprintf("%s cannot be read (%s)", file, field)
	default:
		msg = fmt.Sprintf("%s cannot be read", file)
	}
	detail := []string{inner(err)}
	if de != nil && de.Detail != "" {
		detail = append(detail, de.Detail)
	}
	return fail(reason, msg, append(detail, "fix: "+reason.Advice())...)
}

// inner returns the cause of a *destination.Error without the reason and
// advice, which the check prints its own way.
func inner(err error) string {
	if de, ok := errors.AsType[*destination.Error](err); ok && de.Err != nil {
		return de.Err.Error()
	}
	return err.Error()
}

// checkChain looks for the classic mistake: a key entry holding the leaf
// without the intermediate CA that issued it.
func (r *runner) checkChain() Result {
	if r.keyPair == nil {
		return skip("no client key pair to check")
	}
	chain := r.keyPair.Chain
	lines := chainLines(chain)
	for i := 0; i+1 < len(chain); i++ {
		if !issued(chain[i+1], chain[i]) {
			return warn(fmt.Sprintf("the chain is broken: %s did not issue %s", quoted(chain[i+1]), quoted(chain[i])),
				append(lines, "fix: store the chain in order (leaf, intermediates, root): keytool -importcert -alias ALIAS -file chain.pem -keystore FILE")...)
		}
	}
	top := chain[len(chain)-1]
	switch {
	case selfSigned(top) && len(chain) == 1:
		return pass(fmt.Sprintf("our certificate %s is self-signed: the partner must trust it as it is", quoted(top)), lines...)
	case selfSigned(top):
		return pass(fmt.Sprintf("the chain is complete: %d certificates up to the root %s", len(chain), quoted(top)), lines...)
	case top.IsCA:
		// Servers hold the roots they trust; a chain may stop below one.
		return pass(fmt.Sprintf("the chain reaches the CA %s; its issuer '%s' (usually the root, which servers hold) is not in the keystore",
			quoted(top), dn(top.Issuer)), lines...)
	}
	r.missing = top
	return warn(fmt.Sprintf("the chain stops at %s: its issuer '%s' (an intermediate CA) is not in the keystore", quoted(top), dn(top.Issuer)),
		append(lines,
			"servers that hold that intermediate themselves accept the chain; the others refuse our certificate",
			"fix: get the intermediate's certificate from our CA and import the whole chain (leaf, intermediate, root) onto the key entry: keytool -importcert -alias ALIAS -file chain.pem -keystore FILE")...)
}

// checkValidity checks our certificates' dates, as the client does, and
// warns ahead of an expiry.
func (r *runner) checkValidity() Result {
	if r.keyPair == nil {
		return skip("no client key pair to check")
	}
	now := r.s.now()
	if err := r.keyPair.CheckValidity(now); err != nil {
		msg := "our certificate is outside its validity dates"
		if ve, ok := errors.AsType[*keystore.ValidityError](err); ok {
			msg = fmt.Sprintf("'%s' is valid from %s to %s, and it is %s", strings.ReplaceAll(ve.Subject, ",", ", "), day(ve.NotBefore), day(ve.NotAfter), day(now))
		}
		return fail(destination.ReasonCertExpired, msg, err.Error(), "fix: "+destination.ReasonCertExpired.Advice())
	}
	soonest := r.soonestExpiry()
	left := timeLeft(now, soonest.NotAfter)
	if soonest.NotAfter.Sub(now) < ExpiryWarning {
		return warn(fmt.Sprintf("%s expires %s, on %s", quoted(soonest), left, day(soonest.NotAfter)),
			"fix: ask our CA for a new certificate now, and give the partner its chain before the old one expires")
	}
	return pass(fmt.Sprintf("our certificates are valid; the first to expire is %s, on %s (%s)", quoted(soonest), day(soonest.NotAfter), left))
}

// soonestExpiry is the chain's certificate that expires first, a root
// excepted (servers check their own copy), as KeyPair.CheckValidity does.
func (r *runner) soonestExpiry() *x509.Certificate {
	chain := r.keyPair.Chain
	soonest := chain[0]
	for i, c := range chain {
		if i > 0 && selfSigned(c) {
			continue
		}
		if c.NotAfter.Before(soonest.NotAfter) {
			soonest = c
		}
	}
	return soonest
}

// checkKeyUsage checks that our certificate may authenticate a TLS client:
// servers (Java's and Go's alike) refuse one whose extended key usage
// leaves clientAuth out.
func (r *runner) checkKeyUsage() Result {
	if r.keyPair == nil {
		return skip("no client key pair to check")
	}
	leaf := r.keyPair.Leaf()
	fix := "fix: ask our CA for a certificate with extended key usage clientAuth (and key usage digitalSignature)"
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return fail(destination.ReasonClientCertRejected,
			"our certificate's key usage leaves out digitalSignature, which TLS client authentication needs", fix)
	}
	if len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0 {
		return pass("our certificate has no extended key usage: client authentication is allowed")
	}
	for _, u := range leaf.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
			return pass("our certificate's extended key usage allows TLS client authentication")
		}
	}
	return fail(destination.ReasonClientCertRejected,
		"our certificate's extended key usage does not allow TLS client authentication (clientAuth): servers refuse it", fix)
}
