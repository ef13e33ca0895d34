package keystore

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"time"
)

// scanJKS walks the JKS structure and checks every length against the bytes left, before
// keystore-go sees the data: keystore-go allocates whatever a file claims (a chain count of
// 2^32 is 170 GB of slice) and panics on a key blob shorter than its salt and digest.
//
// The layout (sun.security.provider.JavaKeyStore): magic, version (1 or 2), entry count, entries,
// then a 20-byte SHA-1 digest. An entry: tag (1 key, 2 trusted certificate), alias (uint16 length
// + modified UTF-8), creation time (uint64 ms); a key entry then has a key blob (uint32 length)
// and a chain (uint32 count of certificates); a certificate is a type (version 2 only: uint16
// length + "X.509") and uint32 length + DER.
//
// It returns the creation time of every entry by alias: keystore-go tells it only once a key
// has been decrypted.
func scanJKS(data []byte) (map[string]time.Time, error) {
	r := &jksScanner{data: data, created: map[string]time.Time{}}
	return r.created, r.scan()
}

func (r *jksScanner) scan() error {
	if r.u32("magic") != magicJKS {
		return r.fail("not a JKS keystore")
	}
	version := r.u32("version")
	if r.err == nil && version != 1 && version != 2 {
		return corruptf("unknown JKS version %d", version)
	}
	count := r.u32("entry count")
	// The smallest entry (trusted, empty alias, version 1, empty certificate) takes 18 bytes.
	if r.err == nil && uint64(count)*18 > uint64(r.left()) {
		return corruptf("the file claims %d entries but has only %d bytes left", count, r.left())
	}
	for i := uint32(0); i < count && r.err == nil; i++ {
		r.entry(version)
	}
	r.take(20, "digest")
	return r.err
}

// jksScanner reads big-endian fields, remembering the first shortfall.
type jksScanner struct {
	data    []byte
	off     int
	err     error
	created map[string]time.Time
}

func (r *jksScanner) left() int { return len(r.data) - r.off }

// fail records a corruption at the current offset (keeping the first one).
func (r *jksScanner) fail(what string) error {
	if r.err == nil {
		r.err = corruptf("%s at byte %d", what, r.off)
	}
	return r.err
}

// take returns the next n bytes, or nil once anything is short.
func (r *jksScanner) take(n uint64, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(r.left()) {
		r.err = corruptf("truncated: %s needs %d bytes at byte %d, %d left", what, n, r.off, r.left())
		return nil
	}
	b := r.data[r.off : r.off+int(n)]
	r.off += int(n)
	return b
}

func (r *jksScanner) u16(what string) uint16 {
	if b := r.take(2, what); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *jksScanner) u32(what string) uint32 {
	if b := r.take(4, what); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *jksScanner) entry(version uint32) {
	tag := r.u32("entry tag")
	alias := r.take(uint64(r.u16("alias length")), "alias")
	if ms := r.take(8, "creation time"); ms != nil {
		r.created[string(alias)] = time.UnixMilli(int64(binary.BigEndian.Uint64(ms)))
	}
	switch {
	case r.err != nil:
	case tag == 1:
		r.keyEntry(version)
	case tag == 2:
		r.certificate(version)
	default:
		r.fail("unknown entry tag")
	}
}

func (r *jksScanner) keyEntry(version uint32) {
	blob := r.take(uint64(r.u32("key length")), "key")
	if r.err == nil && !validKeyBlob(blob) {
		r.fail("malformed protected key")
		return
	}
	count := r.u32("chain length")
	minCert := uint64(4)
	if version == 2 {
		minCert += 2
	}
	if r.err == nil && (count == 0 || uint64(count)*minCert > uint64(r.left())) {
		r.fail("impossible certificate count")
		return
	}
	for i := uint32(0); i < count && r.err == nil; i++ {
		r.certificate(version)
	}
}

func (r *jksScanner) certificate(version uint32) {
	if version == 2 {
		r.take(uint64(r.u16("certificate type length")), "certificate type")
	}
	r.take(uint64(r.u32("certificate length")), "certificate")
}

// validKeyBlob checks what keystore-go's decrypt assumes: an EncryptedPrivateKeyInfo, nothing
// after it, whose data holds at least a 20-byte salt and a 20-byte digest.
func validKeyBlob(blob []byte) bool {
	var info struct {
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}
	rest, err := asn1.Unmarshal(blob, &info)
	return err == nil && len(rest) == 0 && len(info.PrivateKey) >= 40
}
