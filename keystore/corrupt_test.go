package keystore_test

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

// TestTruncatedFixtures cuts every binary fixture at every length: each prefix must be an error
// (corrupt, or not recognisable at all), never a panic, with or without a password (an empty JKS
// password skips the integrity check and lets more of the file through).
func TestTruncatedFixtures(t *testing.T) {
	for _, name := range []string{"client-rsa.jks", "client-multi.jks", "trust-empty.jks", "client.p12",
		"client-trusting.p12", "client-legacy.p12", "trust.p12", "client.jceks"} {
		t.Run(name, func(t *testing.T) {
			data := readFixture(t, name)
			for n := range len(data) {
				for _, password := range [][]byte{changeit(), nil} {
					_, err := keystore.Parse(data[:n], password)
					require.Error(t, err, "prefix of %d bytes", n)
					if !errorsIsAny(err, keystore.ErrCorrupt, keystore.ErrUnsupportedFormat) {
						t.Fatalf("prefix of %d bytes: %v", n, err)
					}
				}
			}
		})
	}
}

// TestTruncatedPEM cuts a PEM bundle at every length: a prefix parses only when it ends between
// blocks, and then holds exactly the complete blocks.
func TestTruncatedPEM(t *testing.T) {
	data := readFixture(t, "client-bundle.pem")
	for n := range len(data) {
		s, err := keystore.Parse(data[:n], nil)
		if err != nil {
			continue
		}
		blocks := 0
		for _, e := range s.Entries {
			blocks += len(e.Chain)
			if e.Kind == keystore.PrivateKeyEntry {
				blocks++
			}
		}
		require.Equal(t, strings.Count(string(data[:n]), "-----END "), blocks, "prefix of %d bytes", n)
	}
}

func errorsIsAny(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// TestHostileJKS feeds JKS files whose lengths and counts lie: each is ErrCorrupt, fast, and
// without allocating anywhere near what the file claims.
func TestHostileJKS(t *testing.T) {
	blob := keyBlob(t, 60, sunJKSKeyProtector)
	tests := []struct {
		name string
		data []byte
	}{
		{name: "entry count 2^32-1", data: newJKS(2).u32(0xFFFFFFFF).bytes()},
		{name: "version 3", data: newJKS(3).u32(0).digest()},
		{name: "no digest", data: newJKS(2).u32(0).bytes()},
		{name: "unknown tag", data: newJKS(2).u32(1).u32(7).alias("a").digest()},
		{name: "key length 2^32-1", data: newJKS(2).u32(1).u32(1).alias("a").u32(0xFFFFFFFF).digest()},
		{name: "key blob shorter than salt and digest", data: newJKS(2).u32(1).u32(1).alias("a").
			blob(keyBlob(t, 39, sunJKSKeyProtector)).u32(1).cert("X.509", []byte{0x30}).digest()},
		{name: "key blob not DER", data: newJKS(2).u32(1).u32(1).alias("a").blob(make([]byte, 64)).digest()},
		{name: "chain count 2^32-1", data: newJKS(2).u32(1).u32(1).alias("a").blob(blob).u32(0xFFFFFFFF).digest()},
		{name: "empty chain", data: newJKS(2).u32(1).u32(1).alias("a").blob(blob).u32(0).digest()},
		{name: "certificate type length 2^16-1", data: newJKS(2).u32(1).u32(2).alias("a").u16(0xFFFF).digest()},
		{name: "certificate length 2^32-1", data: newJKS(2).u32(1).u32(2).alias("a").u16(5).raw("X.509").u32(0xFFFFFFFF).digest()},
		{name: "version 1 certificate length 2^32-16", data: newJKS(1).u32(1).u32(2).alias("a").u32(0xFFFFFFF0).digest()},
		{name: "alias length beyond the file", data: newJKS(2).u32(1).u32(2).u16(0xFFFF).bytes()},
		{name: "certificate not DER", data: newJKS(2).u32(1).u32(2).alias("a").cert("X.509", []byte("nope")).signed("changeit")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allocated := allocatedBy(func() {
				_, err := keystore.Parse(tt.data, changeit())
				require.ErrorIs(t, err, keystore.ErrCorrupt)
				_, err = keystore.Read(bytes.NewReader(tt.data), nil)
				require.ErrorIs(t, err, keystore.ErrCorrupt)
			})
			assert.Less(t, allocated, uint64(1<<20), "bytes allocated")
		})
	}
}

// TestWellFormedButWrongKeys opens JKS files whose structure is sound but whose key blobs are not
// keys keytool would write: the store opens, KeyPair says what is wrong, nothing panics.
func TestWellFormedButWrongKeys(t *testing.T) {
	ca, _ := pem.Decode(readFixture(t, "ca.pem"))
	tests := []struct {
		name    string
		blob    []byte
		wantErr error
	}{
		{name: "unknown protection algorithm", blob: keyBlob(t, 60, asn1.ObjectIdentifier{1, 2, 3}), wantErr: keystore.ErrUnsupportedFormat},
		{name: "garbage key", blob: keyBlob(t, 60, sunJKSKeyProtector), wantErr: keystore.ErrWrongKeyPassword},
		{name: "empty key", blob: keyBlob(t, 40, sunJKSKeyProtector), wantErr: keystore.ErrWrongKeyPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := newJKS(2).u32(1).u32(1).alias("a").blob(tt.blob).u32(1).cert("X.509", ca.Bytes).signed("changeit")
			s, err := keystore.Parse(data, changeit())
			require.NoError(t, err)
			_, err = s.KeyPair("a", nil)
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestJKSWithOtherCertificateType(t *testing.T) {
	ca, _ := pem.Decode(readFixture(t, "ca.pem"))
	data := newJKS(2).u32(1).u32(2).alias("a").cert("PGP", ca.Bytes).signed("changeit")
	_, err := keystore.Parse(data, changeit())
	require.ErrorIs(t, err, keystore.ErrUnsupportedFormat)
}

// TestHostilePKCS12Iterations rewrites client.p12 to ask for 2^31-1 MAC iterations: refused at
// once (Java's limit is 5,000,000), instead of minutes of key derivation.
func TestHostilePKCS12Iterations(t *testing.T) {
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  struct {
			Mac        asn1.RawValue
			Salt       []byte
			Iterations int
		}
	}
	_, err := asn1.Unmarshal(readFixture(t, "client.p12"), &pfx)
	require.NoError(t, err)
	pfx.MacData.Iterations = 1<<31 - 1
	data, err := asn1.Marshal(pfx)
	require.NoError(t, err)

	_, err = keystore.Parse(data, changeit())
	require.ErrorIs(t, err, keystore.ErrUnsupportedFormat)
	assert.Contains(t, err.Error(), "2147483647")
}

var sunJKSKeyProtector = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42, 2, 17, 1, 1}

// keyBlob makes a JKS protected key: an EncryptedPrivateKeyInfo holding n bytes.
func keyBlob(t *testing.T, n int, oid asn1.ObjectIdentifier) []byte {
	t.Helper()
	blob, err := asn1.Marshal(struct {
		Algo pkix.AlgorithmIdentifier
		Key  []byte
	}{pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}, bytes.Repeat([]byte{7}, n)})
	require.NoError(t, err)
	return blob
}

// jksWriter writes JKS fields, true or not.
type jksWriter struct{ buf bytes.Buffer }

func newJKS(version uint32) *jksWriter { return new(jksWriter).u32(0xFEEDFEED).u32(version) }

func (w *jksWriter) u16(v uint16) *jksWriter {
	w.buf.Write(binary.BigEndian.AppendUint16(nil, v))
	return w
}

func (w *jksWriter) u32(v uint32) *jksWriter {
	w.buf.Write(binary.BigEndian.AppendUint32(nil, v))
	return w
}

func (w *jksWriter) raw(s string) *jksWriter { w.buf.WriteString(s); return w }

// alias writes an alias and a creation time.
func (w *jksWriter) alias(a string) *jksWriter {
	w.u16(uint16(len(a))).raw(a)
	w.buf.Write(binary.BigEndian.AppendUint64(nil, 1700000000000))
	return w
}

func (w *jksWriter) blob(b []byte) *jksWriter { w.u32(uint32(len(b))); w.buf.Write(b); return w }

func (w *jksWriter) cert(typ string, der []byte) *jksWriter {
	return w.u16(uint16(len(typ))).raw(typ).blob(der)
}

func (w *jksWriter) bytes() []byte { return w.buf.Bytes() }

// digest ends the file with a digest no password matches.
func (w *jksWriter) digest() []byte { w.buf.Write(make([]byte, 20)); return w.bytes() }

// signed ends the file with the digest JKS computes for password (ASCII).
func (w *jksWriter) signed(password string) []byte {
	h := sha1.New()
	for _, c := range []byte(password) {
		h.Write([]byte{0, c})
	}
	h.Write([]byte("Mighty Aphrodite"))
	h.Write(w.buf.Bytes())
	w.buf.Write(h.Sum(nil))
	return w.bytes()
}

// allocatedBy returns the bytes the heap handed out while f ran.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
