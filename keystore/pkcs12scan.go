package keystore

import (
	"encoding/asn1"
	"fmt"
	"math/big"
)

// maxIterations is Java's PKCS12KeyStore.MAX_ITERATION_COUNT. go-pkcs12 runs whatever iteration
// count a file claims: 2^31 rounds of PBKDF2 would hold a goroutine for minutes.
const maxIterations = 5_000_000

// checkIterations walks the DER of a PKCS#12 file (the parts that are not encrypted: the MAC data
// and the parameters of every encrypted part) and refuses iteration counts above maxIterations.
// PBES1, PBKDF2 and MacData parameters all put the iteration count right after the salt, an
// OCTET STRING followed by an INTEGER; nothing is decrypted here.
func checkIterations(data []byte) error {
	return walkIterations(data, 0)
}

func walkIterations(data []byte, depth int) error {
	if depth > 24 {
		return nil // deeper than any PKCS#12 structure: go-pkcs12 will refuse it
	}
	prevSalt := false
	for len(data) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(data, &v)
		if err != nil {
			return nil // not DER: go-pkcs12 says so with its own words
		}
		data = rest
		if err := checkCount(v, prevSalt); err != nil {
			return err
		}
		prevSalt = v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOctetString
		if v.IsCompound || prevSalt {
			if err := walkIterations(v.Bytes, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkCount refuses an INTEGER that follows a salt when it is too large.
func checkCount(v asn1.RawValue, afterSalt bool) error {
	if !afterSalt || v.Class != asn1.ClassUniversal || v.Tag != asn1.TagInteger {
		return nil
	}
	n := new(big.Int).SetBytes(v.Bytes)
	if len(v.Bytes) > 0 && v.Bytes[0]&0x80 != 0 {
		return nil // negative: no work to do
	}
	if n.Cmp(big.NewInt(maxIterations)) > 0 {
		return fmt.Errorf("%w: the PKCS#12 file asks for %s key-derivation iterations, more than Java's limit of %d",
			ErrUnsupportedFormat, n, maxIterations)
	}
	return nil
}
