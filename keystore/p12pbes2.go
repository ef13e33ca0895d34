package keystore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
)

// PBES2 (RFC 8018) with PBKDF2 and AES-CBC: how keytool 17 encrypts the certificates of a
// PKCS#12 file. go-pkcs12 decrypts them too, but drops their attributes; this is the part of
// it the walker needs, on the standard library alone.
var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}

	pbkdf2PRFs = map[string]func() hash.Hash{
		"1.2.840.113549.2.7":  sha1.New,
		"1.2.840.113549.2.8":  sha256.New224,
		"1.2.840.113549.2.9":  sha256.New,
		"1.2.840.113549.2.10": sha512.New384,
		"1.2.840.113549.2.11": sha512.New,
	}
	aesKeySizes = map[string]int{
		"2.16.840.1.101.3.4.1.2":  16, // aes128-CBC
		"2.16.840.1.101.3.4.1.22": 24, // aes192-CBC
		"2.16.840.1.101.3.4.1.42": 32, // aes256-CBC
	}
)

type (
	pbes2Params struct {
		KDF    pkix.AlgorithmIdentifier
		Scheme pkix.AlgorithmIdentifier
	}
	pbkdf2Params struct {
		Salt       []byte
		Iterations int
		KeyLength  int                      `asn1:"optional"`
		PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
	}
)

// errNotPBES2 says the data is encrypted some other way (the legacy PKCS#12 PBE algorithms).
var errNotPBES2 = errors.New("not PBES2")

// decryptPBES2 decrypts ciphertext encrypted with PBES2 under password. The password is
// the UTF-8 bytes, not PKCS#12's BMPString: RFC 8018 says so, and Java and go-pkcs12 agree.
func decryptPBES2(alg pkix.AlgorithmIdentifier, ciphertext []byte, password string) ([]byte, error) {
	if !alg.Algorithm.Equal(oidPBES2) {
		return nil, errNotPBES2
	}
	var params pbes2Params
	if err := unmarshalAll(alg.Parameters.FullBytes, &params); err != nil {
		return nil, err
	}
	keyLen, ok := aesKeySizes[params.Scheme.Algorithm.String()]
	if !ok {
		return nil, fmt.Errorf("PBES2 cipher %s is not AES-CBC", params.Scheme.Algorithm)
	}
	var iv []byte
	if err := unmarshalAll(params.Scheme.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, errors.New("PBES2: bad AES-CBC IV")
	}
	key, err := pbes2Key(params.KDF, password, keyLen)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	if len(ciphertext) == 0 || len(ciphertext)%aes.BlockSize != 0 {
		return nil, errors.New("PBES2: ciphertext is not whole AES blocks")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ciphertext)
	return unpad(plain)
}

// pbes2Key derives the AES key with PBKDF2.
func pbes2Key(kdf pkix.AlgorithmIdentifier, password string, keyLen int) ([]byte, error) {
	if !kdf.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("PBES2 key derivation %s is not PBKDF2", kdf.Algorithm)
	}
	var p pbkdf2Params
	if err := unmarshalAll(kdf.Parameters.FullBytes, &p); err != nil {
		return nil, err
	}
	prf := sha1.New // PBKDF2's default PRF: hmacWithSHA1
	if len(p.PRF.Algorithm) > 0 {
		var ok bool
		if prf, ok = pbkdf2PRFs[p.PRF.Algorithm.String()]; !ok {
			return nil, fmt.Errorf("PBKDF2 PRF %s is not supported", p.PRF.Algorithm)
		}
	}
	switch {
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return nil, fmt.Errorf("PBKDF2 iteration count %d is out of range", p.Iterations)
	case p.KeyLength != 0 && p.KeyLength != keyLen:
		return nil, fmt.Errorf("PBKDF2 key length %d does not fit the cipher", p.KeyLength)
	}
	return pbkdf2.Key(prf, password, p.Salt, p.Iterations, keyLen)
}

// unpad removes PKCS#7 padding.
func unpad(b []byte) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || n > len(b) {
		return nil, errors.New("PBES2: bad padding (wrong password?)")
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, errors.New("PBES2: bad padding (wrong password?)")
		}
	}
	return b[:len(b)-n], nil
}
