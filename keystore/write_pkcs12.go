package keystore

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"

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
	if err := signPFX(&pfx, authSafe, password); err != nil {
		return nil, err
	}
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

// editAlias is the alias an entry of an edited PKCS#12 or PEM store keeps: its own when the
// file named it (see Entry), else one made from its certificate's common name.
func (b *Builder) editAlias(e Entry) string {
	if e.Alias != "" && !b.Has(e.Alias) {
		return e.Alias
	}
	return b.UniqueAlias(e.Chain[0].Subject.CommonName)
}
