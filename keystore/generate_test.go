package keystore_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

func TestGenerateKey(t *testing.T) {
	tests := []struct {
		name    string
		alg     keystore.KeyAlgorithm
		size    int
		want    string
		wantErr error
	}{
		{name: "EC default", alg: keystore.KeyEC, want: "P-256"},
		{name: "EC P-384", alg: keystore.KeyEC, size: 384, want: "P-384"},
		{name: "RSA default", alg: keystore.KeyRSA, want: "RSA 2048"},
		{name: "EC 521", alg: keystore.KeyEC, size: 521, wantErr: keystore.ErrUnsupportedFormat},
		{name: "RSA 1024", alg: keystore.KeyRSA, size: 1024, wantErr: keystore.ErrUnsupportedFormat},
		{name: "DSA", alg: "dsa", wantErr: keystore.ErrUnsupportedFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := keystore.GenerateKey(tt.alg, tt.size)
			require.ErrorIs(t, err, tt.wantErr)
			if tt.wantErr != nil {
				assert.Nil(t, key)
				return
			}
			switch k := key.(type) {
			case *ecdsa.PrivateKey:
				assert.Equal(t, tt.want, k.Curve.Params().Name)
			case *rsa.PrivateKey:
				assert.Equal(t, tt.want, "RSA "+strconv.Itoa(k.N.BitLen()))
			default:
				t.Fatalf("unexpected key %T", key)
			}
		})
	}
}

func TestSelfSigned(t *testing.T) {
	key, err := keystore.GenerateKey(keystore.KeyEC, 0)
	require.NoError(t, err)
	from := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	kp, err := keystore.SelfSigned(key, pkix.Name{CommonName: "acme-client"}, from, from.AddDate(0, 0, 30))
	require.NoError(t, err)

	leaf := kp.Leaf()
	assert.Equal(t, "CN=acme-client", leaf.Subject.String())
	assert.Equal(t, leaf.Subject.String(), leaf.Issuer.String())
	assert.Equal(t, from, leaf.NotBefore)
	assert.Equal(t, from.AddDate(0, 0, 30), leaf.NotAfter)
	assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, leaf.ExtKeyUsage)
	assert.Equal(t, x509.KeyUsageDigitalSignature, leaf.KeyUsage)
	assert.False(t, leaf.IsCA)
	assert.Positive(t, leaf.SerialNumber.Sign())
	require.NoError(t, leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature))
	require.NoError(t, kp.CheckValidity(from.Add(time.Hour)))
	require.ErrorIs(t, kp.CheckValidity(from.AddDate(0, 0, 31)), keystore.ErrExpired)

	// What the partner does with it: trust the certificate itself as a client.
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: from.Add(time.Hour),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)
}

func TestSelfSignedRSAKeyUsage(t *testing.T) {
	key, err := keystore.GenerateKey(keystore.KeyRSA, 2048)
	require.NoError(t, err)
	now := time.Now()
	kp, err := keystore.SelfSigned(key, pkix.Name{CommonName: "rsa"}, now, now.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment, kp.Leaf().KeyUsage)
}

func TestSelfSignedRefusesEmptyValidity(t *testing.T) {
	key, err := keystore.GenerateKey(keystore.KeyEC, 0)
	require.NoError(t, err)
	now := time.Now()
	_, err = keystore.SelfSigned(key, pkix.Name{CommonName: "x"}, now, now)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "keystore: ")
}
