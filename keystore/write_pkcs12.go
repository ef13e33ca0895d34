package keystore

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"unicode/utf16"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// encodePKCS12 writes the one key entry with its chain, or else the trusted entries, with
// go-pkcs12's modern encoder. The key entry gets its alias afterwards (addKeyFriendlyName):
// go-pkcs12 writes none, and keytool would call the entry "1".
func (b *Builder) encodePKCS12(password []byte) ([]byte, error) {
	if err := checkPKCS12Password(password); err != nil {
		return nil, err
	}
	pass := string(password) // go-pkcs12 takes strings: this copy cannot be zeroed
	i := slices.IndexFunc(b.entries, func(e buildEntry) bool { return e.kind == PrivateKeyEntry })
	if i < 0 {
		data, err := pkcs12.Modern.EncodeTrustStoreEntries(b.trustStoreEntries(), pass)
		if err != nil {
			return nil, fmt.Errorf("encode PKCS#12: %w", err)
		}
		return data, nil
	}
	e := b.entries[i]
	data, err := pkcs12.Modern.Encode(e.key, e.chain[0], e.chain[1:], pass)
	if err != nil {
		return nil, fmt.Errorf("encode PKCS#12: %w", err)
	}
	if data, err = addKeyFriendlyName(data, pass, e.alias); err != nil {
		return nil, fmt.Errorf("encode PKCS#12: name key entry %q: %w", e.alias, err)
	}
	// The MAC was computed here, not by go-pkcs12: prove the file opens before anyone relies on it.
	if _, _, _, err := decodeChain(data, pass); err != nil {
		return nil, fmt.Errorf("encode PKCS#12: the file written does not open again: %w", err)
	}
	return data, nil
}

// checkPKCS12Password refuses passwords Java cannot use for a PBES2 PKCS#12 file.
func checkPKCS12Password(password []byte) error {
	if len(password) == 0 {
		return fmt.Errorf("%w: a PKCS#12 keystore needs a store password", ErrEmptyPassword)
	}
	for i, c := range password {
		if c >= 0x80 {
			return fmt.Errorf("%w: a PKCS#12 password can only hold ASCII characters, since Java 17 cannot open "+
				"PBES2-protected PKCS#12 files with others (\"Password is not ASCII\"), and this one has another at byte %d; "+
				"choose an ASCII password or write JKS", ErrPasswordEncoding, i)
		}
	}
	return nil
}

var (
	oidDataContent    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidFriendlyName   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidSHA256         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// The PKCS#12 structures (RFC 7292) that addKeyFriendlyName touches, as go-pkcs12 declares them.
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
	p12SafeBag struct {
		ID         asn1.ObjectIdentifier
		Value      asn1.RawValue  `asn1:"tag:0,explicit"`
		Attributes []p12Attribute `asn1:"set,optional"`
	}
	p12Attribute struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue `asn1:"set"`
	}
)

// addKeyFriendlyName gives the shrouded key bag of a go-pkcs12 file the friendlyName
// attribute Java reads as the entry's alias, and computes the MAC again. The key bag lives in
// an unencrypted SafeContents, so nothing is decrypted. Only the HMAC-SHA256 MAC of go-pkcs12's
// modern encoder is handled.
func addKeyFriendlyName(data []byte, password, alias string) ([]byte, error) {
	var pfx pfxPDU
	if err := unmarshalAll(data, &pfx); err != nil {
		return nil, err
	}
	if !pfx.MacData.Mac.Algorithm.Algorithm.Equal(oidSHA256) {
		return nil, errors.New("the MAC is not HMAC-SHA256")
	}
	var authSafe []byte // the DER of the AuthenticatedSafe, inside an OCTET STRING inside [0]
	if err := unmarshalAll(pfx.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return nil, err
	}
	authSafe, err := nameKeyBags(authSafe, alias)
	if err != nil {
		return nil, err
	}
	if pfx.AuthSafe.Content, err = explicitOctets(authSafe); err != nil {
		return nil, err
	}
	bmpPass, err := bmpZeroTerminated(password)
	if err != nil {
		return nil, err
	}
	defer clear(bmpPass)
	key := pkcs12KDF(pfx.MacData.MacSalt, bmpPass, pfx.MacData.Iterations, 3)
	defer clear(key)
	mac := hmac.New(sha256.New, key)
	mac.Write(authSafe)
	pfx.MacData.Mac.Digest = mac.Sum(nil)
	return asn1.Marshal(pfx)
}

// nameKeyBags adds the friendlyName attribute to every shrouded key bag of the unencrypted
// SafeContents of an AuthenticatedSafe.
func nameKeyBags(authSafe []byte, alias string) ([]byte, error) {
	var contents []p12ContentInfo
	if err := unmarshalAll(authSafe, &contents); err != nil {
		return nil, err
	}
	named := 0
	for i, ci := range contents {
		if !ci.ContentType.Equal(oidDataContent) {
			continue
		}
		var safe []byte
		if err := unmarshalAll(ci.Content.Bytes, &safe); err != nil {
			return nil, err
		}
		var bags []p12SafeBag
		if err := unmarshalAll(safe, &bags); err != nil {
			return nil, err
		}
		for j := range bags {
			if bags[j].ID.Equal(oidShroudedKeyBag) {
				attr, err := friendlyName(alias)
				if err != nil {
					return nil, err
				}
				bags[j].Attributes = append(bags[j].Attributes, attr)
				named++
			}
		}
		der, err := asn1.Marshal(bags)
		if err != nil {
			return nil, err
		}
		if contents[i].Content, err = explicitOctets(der); err != nil {
			return nil, err
		}
	}
	if named != 1 {
		return nil, fmt.Errorf("found %d unencrypted key bags, want 1", named)
	}
	return asn1.Marshal(contents)
}

// friendlyName is the attribute { friendlyName, SET { BMPString alias } }.
func friendlyName(alias string) (p12Attribute, error) {
	bmp, err := bmpZeroTerminated(alias)
	if err != nil {
		return p12Attribute{}, err
	}
	value, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagBMPString, Bytes: bmp[:len(bmp)-2]})
	if err != nil {
		return p12Attribute{}, err
	}
	return p12Attribute{ID: oidFriendlyName, Value: asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: value}}, nil
}

// explicitOctets is the [0] EXPLICIT OCTET STRING that holds a ContentInfo's data.
func explicitOctets(data []byte) (asn1.RawValue, error) {
	octets, err := asn1.Marshal(data)
	if err != nil {
		return asn1.RawValue{}, err
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: octets}, nil
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
