package keystore

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
)

// signPFX sets pfx's MAC over authSafe (the DER of its AuthenticatedSafe): HMAC-SHA256 with a
// key derived from password the PKCS#12 way, from the salt and iteration count already in
// pfx.MacData. go-pkcs12 verifies it as it verifies keytool's MACs.
func signPFX(pfx *pfxPDU, authSafe []byte, password string) error {
	bmpPass, err := bmpZeroTerminated(password)
	if err != nil {
		return err
	}
	defer clear(bmpPass)
	key := pkcs12KDF(pfx.MacData.MacSalt, bmpPass, pfx.MacData.Iterations, 3)
	defer clear(key)
	mac := hmac.New(sha256.New, key)
	mac.Write(authSafe)
	pfx.MacData.Mac.Algorithm.Algorithm = oidSHA256
	pfx.MacData.Mac.Digest = mac.Sum(nil)
	return nil
}

// pkcs12KDF derives 32 bytes with SHA-256 the PKCS#12 way (RFC 7292, appendix B.2): with
// u = 32 output bytes per hash, one block is all a 32-byte HMAC key needs.
func pkcs12KDF(salt, password []byte, iterations int, id byte) []byte {
	const v = 64 // SHA-256's block size
	var in bytes.Buffer
	in.Write(bytes.Repeat([]byte{id}, v))
	in.Write(fill(salt, v))
	pass := fill(password, v)
	in.Write(pass)
	clear(pass)
	defer clear(in.Bytes())
	sum := sha256.Sum256(in.Bytes())
	for i := 1; i < iterations; i++ {
		sum = sha256.Sum256(sum[:])
	}
	return sum[:]
}

// fill repeats p to the next multiple of v bytes (none for an empty p).
func fill(p []byte, v int) []byte {
	if len(p) == 0 {
		return nil
	}
	n := v * ((len(p) + v - 1) / v)
	return bytes.Repeat(p, (n+len(p)-1)/len(p))[:n]
}
