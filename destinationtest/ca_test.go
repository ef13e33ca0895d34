package destinationtest_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destinationtest"
)

func TestCAChains(t *testing.T) {
	tests := []struct {
		name      string
		opts      []destinationtest.CAOption
		wantChain int // certificates in an identity's chain
	}{
		{name: "with intermediate", wantChain: 2},
		{name: "without intermediate", opts: []destinationtest.CAOption{destinationtest.WithoutIntermediate()}, wantChain: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca := destinationtest.NewCA(t, tt.opts...)
			assert.Equal(t, destinationtest.RootCommonName, ca.Root().Subject.CommonName)
			assert.True(t, ca.Root().IsCA)
			if tt.wantChain == 2 {
				require.NotNil(t, ca.Intermediate())
				assert.Equal(t, destinationtest.IntermediateCommonName, ca.Intermediate().Subject.CommonName)
			} else {
				assert.Nil(t, ca.Intermediate())
			}

			server := ca.IssueServer(t)
			client := ca.IssueClient(t, "partner-42")
			require.Len(t, server.Chain, tt.wantChain)
			require.Len(t, client.Chain, tt.wantChain)
			assert.Equal(t, "partner-42", client.Leaf().Subject.CommonName)
			assert.Equal(t, []string{"localhost"}, server.Leaf().DNSNames)
			assert.Len(t, server.Leaf().IPAddresses, 2)

			verify := func(id *destinationtest.Identity, usage x509.ExtKeyUsage, host string) error {
				inter := x509.NewCertPool()
				for _, c := range id.Chain[1:] {
					inter.AddCert(c)
				}
				_, err := id.Leaf().Verify(x509.VerifyOptions{Roots: ca.Pool(), Intermediates: inter,
					KeyUsages: []x509.ExtKeyUsage{usage}, DNSName: host})
				return err
			}
			require.NoError(t, verify(server, x509.ExtKeyUsageServerAuth, "127.0.0.1"))
			require.NoError(t, verify(server, x509.ExtKeyUsageServerAuth, "::1"))
			require.NoError(t, verify(client, x509.ExtKeyUsageClientAuth, ""))
			var usageErr x509.CertificateInvalidError
			require.ErrorAs(t, verify(client, x509.ExtKeyUsageServerAuth, ""), &usageErr)
			assert.Equal(t, x509.IncompatibleUsage, usageErr.Reason)

			leafOnly := client.LeafOnly()
			assert.Len(t, leafOnly.Chain, 1)
			assert.Same(t, client.Key, leafOnly.Key)
			assert.Len(t, client.Chain, tt.wantChain, "LeafOnly leaves the original alone")
		})
	}
}

func TestIssueServerHosts(t *testing.T) {
	ca := destinationtest.NewCA(t)
	id := ca.IssueServer(t, "partner.example", "10.0.0.7")
	assert.Equal(t, "partner.example", id.Leaf().Subject.CommonName)
	require.NoError(t, id.Leaf().VerifyHostname("partner.example"))
	require.NoError(t, id.Leaf().VerifyHostname("10.0.0.7"))
	var hostErr x509.HostnameError
	require.ErrorAs(t, id.Leaf().VerifyHostname("localhost"), &hostErr)
}

func TestIssueOptions(t *testing.T) {
	ca := destinationtest.NewCA(t)
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

	expired := ca.IssueClient(t, "old", destinationtest.ValidBetween(past, past.Add(time.Hour)))
	assert.True(t, expired.Leaf().NotAfter.Equal(past.Add(time.Hour)))
	assert.True(t, expired.Leaf().NotBefore.Equal(past))
	expiredServer := ca.IssueServerWith(t, nil, destinationtest.ValidBetween(past, past.Add(time.Hour)))
	assert.True(t, expiredServer.Leaf().NotAfter.Before(time.Now()))
	assert.Equal(t, "localhost", expiredServer.Leaf().Subject.CommonName)

	tests := []struct {
		name string
		key  destinationtest.KeyAlgorithm
		want func(any) bool
	}{
		{name: "ECDSA", key: destinationtest.KeyECDSA, want: func(k any) bool { _, ok := k.(*ecdsa.PrivateKey); return ok }},
		{name: "RSA", key: destinationtest.KeyRSA, want: func(k any) bool { _, ok := k.(*rsa.PrivateKey); return ok }},
		{name: "Ed25519", key: destinationtest.KeyEd25519, want: func(k any) bool { _, ok := k.(ed25519.PrivateKey); return ok }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := ca.IssueClient(t, tt.name, destinationtest.KeyType(tt.key))
			assert.True(t, tt.want(id.Key), "key is %T", id.Key)
			require.NoError(t, id.Leaf().CheckSignatureFrom(ca.Intermediate()))
		})
	}
}

func TestIssueInvalidOptions(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name    string
		opt     destinationtest.IssueOption
		wantErr error
	}{
		{name: "swapped dates", opt: destinationtest.ValidBetween(now, now.Add(-time.Hour)), wantErr: destinationtest.ErrInvalidOption},
		{name: "unknown key", opt: destinationtest.KeyType(7), wantErr: destinationtest.ErrInvalidOption},
		{name: "nil", opt: nil, wantErr: destinationtest.ErrInvalidOption},
	}
	ca := destinationtest.NewCA(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := destinationtest.Run(func(tb destinationtest.TB) error {
				ca.IssueClient(tb, "x", tt.opt)
				return errors.New("IssueClient returned")
			})
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}
