package keystore

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"unicode/utf16"
)

// The PKCS#12 structures (RFC 7292) this package reads and rewrites itself, declared as
// go-pkcs12 declares them. go-pkcs12 decodes the keys, but it neither exposes friendly names
// nor decodes one key bag among several: the walker (p12walk.go) and the writer need these.
var (
	oidDataContent      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedContent = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Certificate  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidFriendlyName     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	// oidJavaTrusted marks a certBag as a trustedCertEntry (Oracle's trustedKeyUsage attribute).
	oidJavaTrusted = asn1.ObjectIdentifier{2, 16, 840, 1, 113894, 746875, 1, 1}
	oidSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

type (
	pfxPDU struct {
		Version  int
		AuthSafe p12ContentInfo
		MacData  p12MacData `asn1:"optional"`
	}
	p12ContentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
	}
	p12MacData struct {
		Mac        p12DigestInfo
		MacSalt    []byte
		Iterations int `asn1:"optional,default:1"`
	}
	p12DigestInfo struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	p12EncryptedData struct {
		Version              int
		EncryptedContentInfo p12EncryptedContentInfo
	}
	p12EncryptedContentInfo struct {
		ContentType      asn1.ObjectIdentifier
		Algorithm        pkix.AlgorithmIdentifier
		EncryptedContent []byte `asn1:"tag:0,optional"`
	}
	p12SafeBag struct {
		ID         asn1.ObjectIdentifier
		Value      asn1.RawValue  `asn1:"tag:0,explicit"`
		Attributes []p12Attribute `asn1:"set,optional"`
	}
	p12Attribute struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue `asn1:"set"`
	}
	p12CertBag struct {
		ID   asn1.ObjectIdentifier
		Data []byte `asn1:"tag:0,explicit"`
	}
)

// explicitOctets is the [0] EXPLICIT OCTET STRING that holds a ContentInfo's data.
func explicitOctets(data []byte) (asn1.RawValue, error) {
	octets, err := asn1.Marshal(data)
	if err != nil {
		return asn1.RawValue{}, err
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: octets}, nil
}

// sequenceOf wraps DER elements, already encoded, in a SEQUENCE.
func sequenceOf(elements []byte) ([]byte, error) {
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: elements})
}

func unmarshalAll(der []byte, out any) error {
	rest, err := asn1.Unmarshal(der, out)
	if err == nil && len(rest) > 0 {
		err = errors.New("trailing data")
	}
	return err
}

// bmpZeroTerminated encodes s as PKCS#12 encodes passwords: UTF-16 big-endian and two zero
// bytes (RFC 7292, appendix B.1). Characters beyond the BMP are refused, as go-pkcs12 does.
func bmpZeroTerminated(s string) ([]byte, error) {
	out := make([]byte, 0, 2*len(s)+2)
	for _, r := range s {
		if r1, _ := utf16.EncodeRune(r); r1 != '\uFFFD' {
			clear(out)
			return nil, errors.New("a character beyond the Basic Multilingual Plane cannot be encoded")
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return append(out, 0, 0), nil
}

// decodeBMP decodes a BMPString's bytes (UTF-16 big-endian), as friendlyName holds them.
func decodeBMP(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", errors.New("odd-length BMPString")
	}
	s := make([]uint16, len(b)/2)
	for i := range s {
		s[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(s)), nil
}
