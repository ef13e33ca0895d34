package javatest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptionsWithDefaults(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		want    func(t *testing.T, o Options)
		wantErr error
	}{
		{
			name: "zero options use the fixtures",
			want: func(t *testing.T, o Options) {
				assert.Equal(t, Fixture(t, "server.p12"), o.Keystore)
				assert.Equal(t, Fixture(t, "trust.p12"), o.Truststore)
				assert.Equal(t, "PKCS12", o.KeystoreType)
				assert.Equal(t, "PKCS12", o.TruststoreType)
				assert.Equal(t, "changeit", o.KeystorePass)
				assert.Equal(t, "changeit", o.TruststorePass)
				assert.Equal(t, []string{"TLSv1.3", "TLSv1.2"}, o.Protocols)
				assert.Equal(t, "need", o.ClientAuth)
				assert.Equal(t, 503, o.FailStatus)
				assert.Equal(t, EngineHTTPServer, o.Engine)
			},
		},
		{
			name: "a relative .jks path is made absolute and typed JKS",
			opts: Options{Truststore: "x/trust.JKS", TruststorePass: "secret"},
			want: func(t *testing.T, o Options) {
				wd, err := os.Getwd()
				require.NoError(t, err)
				assert.Equal(t, filepath.Join(wd, "x/trust.JKS"), o.Truststore)
				assert.Equal(t, "JKS", o.TruststoreType)
				assert.Equal(t, "secret", o.TruststorePass)
			},
		},
		{
			name: "an explicit type wins over the name",
			opts: Options{Keystore: "/k.jks", KeystoreType: "PKCS12"},
			want: func(t *testing.T, o Options) { assert.Equal(t, "PKCS12", o.KeystoreType) },
		},
		{name: "unknown client auth", opts: Options{ClientAuth: "required"}, wantErr: errBadOption},
		{name: "unknown engine", opts: Options{Engine: "jetty"}, wantErr: errBadOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.opts.withDefaults()
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.want(t, got)
		})
	}
}

func TestOptionsArgs(t *testing.T) {
	o, err := Options{Protocols: []string{"TLSv1.2"}, Fail: 2, RetryAfter: "7", Engine: EngineSocket}.withDefaults()
	require.NoError(t, err)
	args := o.args()

	flags := map[string]string{}
	for i := 0; i+1 < len(args); i += 2 {
		flags[args[i]] = args[i+1]
	}
	assert.Len(t, args, 2*len(flags), "every flag has a value")
	assert.Equal(t, "TLSv1.2", flags["--protocols"])
	assert.Equal(t, "2", flags["--fail"])
	assert.Equal(t, "503", flags["--fail-status"])
	assert.Equal(t, "7", flags["--retry-after"])
	assert.Equal(t, "socket", flags["--engine"])
	assert.Equal(t, "need", flags["--client-auth"])
}

func TestModuleRoot(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644))
	deep := filepath.Join(root, "a", "b")
	require.NoError(t, os.MkdirAll(deep, 0o755))

	got, err := moduleRoot(deep)
	require.NoError(t, err)
	assert.Equal(t, root, got)

	_, err = moduleRoot(string(filepath.Separator))
	require.ErrorIs(t, err, errNoModule)
}
