package check

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keytool -genkeypair makes self-signed certificates without
// basicConstraints; they are self-signed all the same.
func TestSelfSignedWithoutBasicConstraints(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	require.False(t, cert.BasicConstraintsValid)
	assert.True(t, selfSigned(cert))

	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	forged, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, other)
	require.NoError(t, err)
	forgedCert, err := x509.ParseCertificate(forged)
	require.NoError(t, err)
	assert.False(t, selfSigned(forgedCert), "same names, wrong signature")
}
