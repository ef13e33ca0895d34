package keystore_test

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/internal/keytooltest"

	"github.com/mtlscourier/courier/keystore"
)

func TestCreateCSR(t *testing.T) {
	key, err := keystore.GenerateKey(keystore.KeyEC, 0)
	require.NoError(t, err)
	data, err := keystore.CreateCSR(key, pkix.Name{CommonName: "acme-client", Organization: []string{"ACME"}})
	require.NoError(t, err)

	block, rest := pem.Decode(data)
	require.NotNil(t, block)
	assert.Empty(t, rest)
	assert.Equal(t, "CERTIFICATE REQUEST", block.Type)
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	require.NoError(t, err)
	require.NoError(t, csr.CheckSignature())
	assert.Equal(t, "CN=acme-client,O=ACME", csr.Subject.String())
	assert.True(t, key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(csr.PublicKey))
	var eku []asn1.ObjectIdentifier
	for _, ext := range csr.Extensions {
		if ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 37}) {
			_, err := asn1.Unmarshal(ext.Value, &eku)
			require.NoError(t, err)
		}
	}
	assert.Equal(t, []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 2}}, eku, "asks for clientAuth")
}

// A CA signs the request with keytool -gencert: the request is what Java expects.
func TestCreateCSRSignedByKeytool(t *testing.T) {
	t.Parallel()
	key, err := keystore.GenerateKey(keystore.KeyEC, 0)
	require.NoError(t, err)
	data, err := keystore.CreateCSR(key, pkix.Name{CommonName: "acme-client"})
	require.NoError(t, err)
	dir := t.TempDir()
	csrFile := filepath.Join(dir, "client.csr")
	require.NoError(t, os.WriteFile(csrFile, data, 0o600))
	ca := filepath.Join(dir, "ca.jks")
	keytooltest.Run(t, "-genkeypair", "-keystore", ca, "-storepass", "changeit", "-alias", "ca", "-keyalg", "EC",
		"-dname", "CN=test-ca", "-ext", "bc:c", "-validity", "2")
	out := filepath.Join(dir, "client.crt")
	keytooltest.Run(t, "-gencert", "-keystore", ca, "-storepass", "changeit", "-alias", "ca", "-rfc",
		"-infile", csrFile, "-outfile", out)

	s, err := keystore.Load(out, nil)
	require.NoError(t, err)
	leaf := s.Certificates()[0]
	assert.Equal(t, "CN=acme-client", leaf.Subject.String())
	assert.True(t, key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(leaf.PublicKey))
}
