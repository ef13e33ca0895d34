package keystore

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"slices"
	"strings"
)

// p12File is a PKCS#12 file read down to its SafeBags, as far as that needs no password:
// keytool puts key bags, with their friendlyName and localKeyId in clear, in an unencrypted
// part of the AuthenticatedSafe, and only the key itself is encrypted. Certificates sit in an
// encrypted part, whose bags are known once unseal has opened it.
//
// The walker never decides whether a file is valid: go-pkcs12 does. It only learns what
// go-pkcs12 does not say (aliases, trusted flags) and rebuilds a file with one key bag.
type p12File struct {
	pfx   pfxPDU
	parts []p12Part // the ContentInfos of the AuthenticatedSafe, in file order
}

// p12Part is one ContentInfo of the AuthenticatedSafe.
type p12Part struct {
	raw    []byte // its DER, kept to write it back unchanged
	info   p12ContentInfo
	sealed bool     // encryptedData not (yet) opened: its bags are unknown
	bags   []p12Bag // the bags of a data part, or of an opened encryptedData part
}

// p12Bag is what the walker knows of one SafeBag.
type p12Bag struct {
	raw     []byte // its DER
	id      asn1.ObjectIdentifier
	alias   string // friendlyName, lower-cased as Java's aliases are; "" when absent
	keyID   []byte // localKeyId, pairing a key with its certificate
	trusted bool   // Java's trusted-certificate attribute: a trustedCertEntry
	cert    []byte // a certBag's X.509 certificate (DER)
}

func (b *p12Bag) isKey() bool { return b.id.Equal(oidShroudedKeyBag) || b.id.Equal(oidKeyBag) }

// readP12 walks a PFX to its SafeBags without decrypting anything.
func readP12(data []byte) (*p12File, error) {
	f := &p12File{}
	if err := unmarshalAll(data, &f.pfx); err != nil {
		return nil, err
	}
	if f.pfx.Version != 3 || !f.pfx.AuthSafe.ContentType.Equal(oidDataContent) {
		return nil, errors.New("not a password-protected PKCS#12 v3 file")
	}
	var authSafe []byte
	if err := unmarshalAll(f.pfx.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return nil, err
	}
	infos, err := sequenceElements(authSafe)
	if err != nil {
		return nil, err
	}
	for _, raw := range infos {
		p := p12Part{raw: raw}
		if err := unmarshalAll(raw, &p.info); err != nil {
			return nil, err
		}
		switch {
		case p.info.ContentType.Equal(oidDataContent):
			var safe []byte
			if err := unmarshalAll(p.info.Content.Bytes, &safe); err != nil {
				return nil, err
			}
			if p.bags, err = readSafeContents(safe); err != nil {
				return nil, err
			}
		case p.info.ContentType.Equal(oidEncryptedContent):
			p.sealed = true
		default:
			return nil, errors.New("unknown content type " + p.info.ContentType.String())
		}
		f.parts = append(f.parts, p)
	}
	return f, nil
}

// sequenceElements returns the DER of each element of a SEQUENCE OF.
func sequenceElements(der []byte) ([][]byte, error) {
	var seq asn1.RawValue
	if err := unmarshalAll(der, &seq); err != nil {
		return nil, err
	}
	if seq.Class != asn1.ClassUniversal || seq.Tag != asn1.TagSequence || !seq.IsCompound {
		return nil, errors.New("not a SEQUENCE")
	}
	var out [][]byte
	for rest := seq.Bytes; len(rest) > 0; {
		var e asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &e); err != nil {
			return nil, err
		}
		out = append(out, e.FullBytes)
	}
	return out, nil
}

// readSafeContents reads a SafeContents: SEQUENCE OF SafeBag.
func readSafeContents(der []byte) ([]p12Bag, error) {
	elements, err := sequenceElements(der)
	if err != nil {
		return nil, err
	}
	bags := make([]p12Bag, 0, len(elements))
	for _, raw := range elements {
		var sb p12SafeBag
		if err := unmarshalAll(raw, &sb); err != nil {
			return nil, err
		}
		b := p12Bag{raw: raw, id: sb.ID}
		if b.id.Equal(oidCertBag) {
			var cb p12CertBag
			if err := unmarshalAll(sb.Value.Bytes, &cb); err == nil && cb.ID.Equal(oidX509Certificate) {
				b.cert = cb.Data
			}
		}
		for _, a := range sb.Attributes {
			b.addAttribute(a)
		}
		bags = append(bags, b)
	}
	return bags, nil
}

// addAttribute records the attributes Java reads. One that does not parse is left out: the
// walker only names entries, go-pkcs12 judges the file.
func (b *p12Bag) addAttribute(a p12Attribute) {
	var v asn1.RawValue
	if _, err := asn1.Unmarshal(a.Value.Bytes, &v); err != nil {
		return
	}
	switch {
	case a.ID.Equal(oidFriendlyName) && v.Tag == asn1.TagBMPString:
		if name, err := decodeBMP(v.Bytes); err == nil {
			// Java's PKCS12KeyStore keys its entries by toLowerCase(Locale.ENGLISH).
			b.alias = strings.ToLower(name)
		}
	case a.ID.Equal(oidLocalKeyID) && v.Tag == asn1.TagOctetString:
		b.keyID = v.Bytes
	case a.ID.Equal(oidJavaTrusted):
		b.trusted = true
	}
}

// keyBags returns the key bags found so far, in file order.
func (f *p12File) keyBags() []*p12Bag { return f.keyBagsIn(false) }

// plainKeyBags returns the key bags of the unencrypted parts: those withOneKey can keep.
func (f *p12File) plainKeyBags() []*p12Bag { return f.keyBagsIn(true) }

func (f *p12File) keyBagsIn(plainOnly bool) []*p12Bag {
	var keys []*p12Bag
	for i := range f.parts {
		if plainOnly && !f.parts[i].plain() {
			continue
		}
		for j := range f.parts[i].bags {
			if b := &f.parts[i].bags[j]; b.isKey() {
				keys = append(keys, b)
			}
		}
	}
	return keys
}

// plain reports whether the part is not encrypted.
func (p *p12Part) plain() bool { return p.info.ContentType.Equal(oidDataContent) }

// sealed reports whether some encrypted part could not be opened.
func (f *p12File) sealed() bool {
	for _, p := range f.parts {
		if p.sealed {
			return true
		}
	}
	return false
}

// trustedAliases returns the aliases of the trusted certBags by certificate DER, in file order
// (a certificate may be trusted under several aliases).
func (f *p12File) trustedAliases() map[string][]string {
	aliases := map[string][]string{}
	if f == nil {
		return aliases
	}
	for _, p := range f.parts {
		for _, b := range p.bags {
			if b.trusted {
				aliases[string(b.cert)] = append(aliases[string(b.cert)], b.alias)
			}
		}
	}
	return aliases
}

// unseal opens the encrypted parts protected with PBES2 (keytool's default since Java 17),
// so that their certBags' aliases and trusted flags are known. Call it only once the file's
// MAC has proved password. Parts it cannot open (the legacy PBE algorithms of
// -J-Dkeystore.pkcs12.legacy and Java 8: 3DES, RC2) stay sealed: their certificates then
// have no aliases.
func (f *p12File) unseal(password string) {
	for i := range f.parts {
		p := &f.parts[i]
		if !p.sealed {
			continue
		}
		var ed p12EncryptedData
		if err := unmarshalAll(p.info.Content.Bytes, &ed); err != nil || ed.Version != 0 {
			continue
		}
		safe, err := decryptPBES2(ed.EncryptedContentInfo.Algorithm, ed.EncryptedContentInfo.EncryptedContent, password)
		if err != nil {
			continue
		}
		if p.bags, err = readSafeContents(safe); err == nil {
			p.sealed = false
		}
	}
}

// withOneKey returns the file with keep as its only key bag, every other bag as it was, and a
// new MAC computed with password: the file go-pkcs12 decodes to read that key. keep must be
// one of plainKeyBags.
//
// It must only be called once the file's own MAC has proved password: the new MAC vouches
// for nothing, it only lets go-pkcs12 open the file.
func (f *p12File) withOneKey(keep *p12Bag, password string) ([]byte, error) {
	if !slices.Contains(f.plainKeyBags(), keep) {
		return nil, errors.New("the key bag is not in an unencrypted part")
	}
	var authSafe []byte
	for _, p := range f.parts {
		if !p.plain() {
			authSafe = append(authSafe, p.raw...)
			continue
		}
		raw, err := p.withOneKey(keep)
		if err != nil {
			return nil, err
		}
		authSafe = append(authSafe, raw...)
	}
	authSafe, err := sequenceOf(authSafe)
	if err != nil {
		return nil, err
	}
	pfx := f.pfx
	if pfx.AuthSafe.Content, err = explicitOctets(authSafe); err != nil {
		return nil, err
	}
	if len(pfx.MacData.Mac.Algorithm.Algorithm) > 0 {
		// One iteration: this MAC protects nothing, the file never leaves the process.
		pfx.MacData = p12MacData{MacSalt: pfx.MacData.MacSalt, Iterations: 1,
			Mac: p12DigestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA256}}}
		if err := signPFX(&pfx, authSafe, password); err != nil {
			return nil, err
		}
	}
	return asn1.Marshal(pfx)
}

// withOneKey returns the DER of a data part without its key bags other than keep.
func (p *p12Part) withOneKey(keep *p12Bag) ([]byte, error) {
	var safe []byte
	for i := range p.bags {
		if b := &p.bags[i]; !b.isKey() || b == keep {
			safe = append(safe, b.raw...)
		}
	}
	safe, err := sequenceOf(safe)
	if err != nil {
		return nil, err
	}
	info := p12ContentInfo{ContentType: oidDataContent}
	if info.Content, err = explicitOctets(safe); err != nil {
		return nil, err
	}
	return asn1.Marshal(info)
}
