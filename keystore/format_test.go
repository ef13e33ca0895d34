package keystore_test

import (
	"encoding/base64"
	"encoding/pem"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    keystore.Format
		wantErr error
	}{
		{name: "empty means detect", in: "", want: ""},
		{name: "JKS", in: "JKS", want: keystore.FormatJKS},
		{name: "jks", in: " jks ", want: keystore.FormatJKS},
		{name: "PKCS12", in: "PKCS12", want: keystore.FormatPKCS12},
		{name: "PKCS#12", in: "PKCS#12", want: keystore.FormatPKCS12},
		{name: "p12", in: "p12", want: keystore.FormatPKCS12},
		{name: "PFX", in: "PFX", want: keystore.FormatPKCS12},
		{name: "pem", in: "Pem", want: keystore.FormatPEM},
		{name: "JCEKS", in: "JCEKS", wantErr: keystore.ErrUnsupportedFormat},
		{name: "unknown", in: "BKS", wantErr: keystore.ErrUnsupportedFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keystore.ParseFormat(tt.in)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDetectFormat(t *testing.T) {
	caDER, _ := pem.Decode(readFixture(t, "ca.pem"))
	require.NotNil(t, caDER)
	tests := []struct {
		name    string
		data    []byte
		want    keystore.Format
		wantErr error
	}{
		{name: "JKS", data: readFixture(t, "client-rsa.jks"), want: keystore.FormatJKS},
		{name: "empty JKS", data: readFixture(t, "trust-empty.jks"), want: keystore.FormatJKS},
		{name: "PKCS#12", data: readFixture(t, "client.p12"), want: keystore.FormatPKCS12},
		{name: "legacy PKCS#12", data: readFixture(t, "client-legacy.p12"), want: keystore.FormatPKCS12},
		{name: "truncated PKCS#12", data: readFixture(t, "client.p12")[:10], want: keystore.FormatPKCS12},
		{name: "PEM", data: readFixture(t, "client.crt"), want: keystore.FormatPEM},
		{name: "PEM after text", data: append([]byte("Bag Attributes\n"), readFixture(t, "ca.pem")...), want: keystore.FormatPEM},
		{name: "DER certificate", data: caDER.Bytes, want: keystore.FormatPEM},
		{name: "JCEKS", data: readFixture(t, "client.jceks"), wantErr: keystore.ErrUnsupportedFormat},
		{name: "base64 PKCS#12", data: []byte(base64.StdEncoding.EncodeToString(readFixture(t, "client.p12"))),
			wantErr: keystore.ErrUnsupportedFormat},
		{name: "text", data: []byte("hello, world"), wantErr: keystore.ErrUnsupportedFormat},
		{name: "one byte", data: []byte{0x30}, wantErr: keystore.ErrUnsupportedFormat},
		{name: "empty", data: nil, wantErr: keystore.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keystore.DetectFormat(tt.data)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestJCEKSSaysHowToConvert(t *testing.T) {
	path := fixture("client.jceks")
	_, err := keystore.Load(path, changeit())
	require.ErrorIs(t, err, keystore.ErrUnsupportedFormat)
	assert.Contains(t, err.Error(), "keytool -importkeystore -srckeystore "+path+" -srcstoretype JCEKS -destkeystore "+
		path+".p12 -deststoretype PKCS12")
}

func TestDERCertificateIsATruststore(t *testing.T) {
	block, _ := pem.Decode(readFixture(t, "ca.pem"))
	s, err := keystore.Parse(block.Bytes, nil)
	require.NoError(t, err)
	assert.Equal(t, keystore.FormatPEM, s.Format)
	require.Len(t, s.Certificates(), 1)
	assert.Equal(t, "courier-test-root", s.Certificates()[0].Subject.CommonName)

	_, err = keystore.Parse(block.Bytes[:len(block.Bytes)-1], nil)
	require.ErrorIs(t, err, keystore.ErrCorrupt)
}
