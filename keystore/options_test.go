package keystore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []keystore.Option
		wantErr error
		anyErr  bool
	}{
		{name: "none"},
		{name: "nil option", opts: []keystore.Option{nil}},
		{name: "same format twice", opts: []keystore.Option{keystore.WithFormat(keystore.FormatJKS), keystore.WithFormat(keystore.FormatJKS)}},
		{name: "empty format", opts: []keystore.Option{keystore.WithFormat("")}},
		{name: "same alias twice", opts: []keystore.Option{keystore.WithAlias("client"), keystore.WithAlias("client")}},
		{name: "unknown format", opts: []keystore.Option{keystore.WithFormat("bks")}, wantErr: keystore.ErrUnsupportedFormat},
		{name: "conflicting formats", opts: []keystore.Option{keystore.WithFormat(keystore.FormatJKS), keystore.WithFormat(keystore.FormatPEM)},
			anyErr: true},
		{name: "conflicting aliases", opts: []keystore.Option{keystore.WithAlias("a"), keystore.WithAlias("b")}, anyErr: true},
		{name: "two key files", opts: []keystore.Option{keystore.WithKeyFile("a.key"), keystore.WithKeyPEM([]byte("x"))}, anyErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := keystore.Load(fixture("client-rsa.jks"), changeit(), tt.opts...)
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
			case tt.anyErr:
				require.Error(t, err)
				assert.Regexp(t, `^keystore: `, err.Error())
			default:
				require.NoError(t, err)
			}
		})
	}
}

func TestWithKeyPEM(t *testing.T) {
	s, err := keystore.Parse(readFixture(t, "client.crt"), nil, keystore.WithKeyPEM(readFixture(t, "client.key")))
	require.NoError(t, err)
	kp, err := s.KeyPair("", nil)
	require.NoError(t, err)
	assert.Equal(t, "courier-client", kp.Leaf().Subject.CommonName)
}
