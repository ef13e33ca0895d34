package keystore_test

import (
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

func TestCertPoolVerifiesTheClientChain(t *testing.T) {
	client, err := keystore.LoadKeyPair(fixture("client-rsa.jks"), changeit())
	require.NoError(t, err)
	rogue, err := keystore.LoadKeyPair(fixture("rogue-client.jks"), changeit())
	require.NoError(t, err)

	tests := []struct {
		name       string
		truststore string
		kp         *keystore.KeyPair
		wantOK     bool
	}{
		{name: "JKS trusts client", truststore: "trust.jks", kp: client, wantOK: true},
		{name: "p12 trusts client", truststore: "trust.p12", kp: client, wantOK: true},
		{name: "PEM trusts client", truststore: "ca.pem", kp: client, wantOK: true},
		{name: "JKS refuses rogue", truststore: "trust.jks", kp: rogue},
		{name: "rogue truststore refuses client", truststore: "trust-rogue.jks", kp: client},
		{name: "rogue truststore trusts rogue", truststore: "trust-rogue.jks", kp: rogue, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := keystore.LoadCertPool(fixture(tt.truststore), changeit())
			require.NoError(t, err)
			_, err = verify(tt.kp, pool)
			if tt.wantOK {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

// verify checks a client chain against roots, as a server would.
func verify(kp *keystore.KeyPair, roots *x509.CertPool) ([][]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, c := range kp.Chain[1:] {
		inter.AddCert(c)
	}
	return kp.Leaf().Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
}

func TestCertificatesJavaSemantics(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    []string
		wantErr error
	}{
		{name: "trusted entry", file: "trust.jks", want: []string{"courier-test-root"}},
		{name: "key entry gives its own certificate only", file: "client-rsa.jks", want: []string{"courier-client"}},
		{name: "key entry and trusted entries", file: "client-trusting.p12",
			want: []string{"courier-client-trusting", "courier-test-root", "courier-test-intermediate"}},
		{name: "PEM bundle", file: "client.crt", want: []string{"courier-client", "courier-test-intermediate"}},
		{name: "empty", file: "trust-empty.jks", wantErr: keystore.ErrEmptyTruststore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := keystore.Load(fixture(tt.file), changeit())
			require.NoError(t, err)
			var got []string
			for _, c := range s.Certificates() {
				got = append(got, c.Subject.CommonName)
			}
			assert.ElementsMatch(t, tt.want, got)
			pool, err := s.CertPool()
			require.ErrorIs(t, err, tt.wantErr)
			if tt.wantErr == nil {
				assert.NotNil(t, pool)
			}
		})
	}
}

func TestLoadCertPoolErrors(t *testing.T) {
	_, err := keystore.LoadCertPool(fixture("trust-empty.jks"), changeit())
	require.ErrorIs(t, err, keystore.ErrEmptyTruststore)
	assert.Contains(t, err.Error(), fixture("trust-empty.jks"))

	_, err = keystore.LoadCertPool(fixture("trust.jks"), []byte("wrong-pw"))
	require.ErrorIs(t, err, keystore.ErrWrongPassword)
}

func TestAliases(t *testing.T) {
	s, err := keystore.Load(fixture("client-multi.jks"), changeit())
	require.NoError(t, err)
	assert.Equal(t, []string{"alpha", "beta"}, s.Aliases())
	assert.Equal(t, "PrivateKeyEntry", keystore.PrivateKeyEntry.String())
	assert.Equal(t, "trustedCertEntry", keystore.TrustedCertEntry.String())
	assert.Equal(t, "EntryKind(0)", keystore.EntryKind(0).String())
}
