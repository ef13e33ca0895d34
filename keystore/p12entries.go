package keystore

import (
	"bytes"
	"crypto/x509"
)

// p12Key is a key go-pkcs12 decoded, with the key bag it came from (nil: the only one).
type p12Key struct {
	key any
	bag *p12Bag
}

// onlyKeyBag returns the key bag of a file that has exactly one, else nil.
func (f *p12File) onlyKeyBag() *p12Bag {
	if f == nil {
		return nil
	}
	if keys := f.keyBags(); len(keys) == 1 {
		return keys[0]
	}
	return nil
}

// p12Store makes the entries of a PKCS#12 file from what go-pkcs12 decoded (keys, and every
// certificate in file order) and what the walker f read (nil: nothing). Call it only once
// go-pkcs12 has verified the file's MAC with password.
//
// Each key's chain is its certificate, found by the key (go-pkcs12 takes the first certificate
// for the leaf, which keytool files with trusted entries contradict), and the issuers that
// follow from it. The certificates no chain uses are the trusted entries: keytool writes a
// trusted certificate again even when a chain holds it too.
//
// Aliases come from the walker: key entries' always (their bags are not encrypted); trusted
// entries' when unseal opened the certificates' part (PBES2), not in legacy 3DES/RC2 files.
func p12Store(f *p12File, password string, keys []p12Key, certs []*x509.Certificate) (*Store, error) {
	if f != nil {
		f.unseal(password)
	}
	if len(keys) == 1 && keys[0].bag == nil {
		keys[0].bag = f.onlyKeyBag() // wherever it was: an unsealed part counts too
	}
	s := &Store{Format: FormatPKCS12}
	used := make([]bool, len(certs))
	for _, k := range keys {
		signer, err := asSigner(k.key)
		if err != nil {
			return nil, err
		}
		chain, _ := splitChain(signer, certs)
		markUsed(certs, used, chain)
		e := Entry{Kind: PrivateKeyEntry, Chain: chain, key: signer}
		if k.bag != nil {
			e.Alias = k.bag.alias
		}
		s.Entries = append(s.Entries, e)
	}
	aliases := f.trustedAliases()
	for i, c := range certs {
		if used[i] {
			continue
		}
		e := Entry{Kind: TrustedCertEntry, Chain: []*x509.Certificate{c}}
		if names := aliases[string(c.Raw)]; len(names) > 0 {
			e.Alias, aliases[string(c.Raw)] = names[0], names[1:]
		}
		s.Entries = append(s.Entries, e)
	}
	return s, nil
}

// markUsed marks, for each certificate of chain, the first unused certificate equal to it.
func markUsed(certs []*x509.Certificate, used []bool, chain []*x509.Certificate) {
	for _, c := range chain {
		for i := range certs {
			if !used[i] && bytes.Equal(certs[i].Raw, c.Raw) {
				used[i] = true
				break
			}
		}
	}
}
