package destination

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSuggest(t *testing.T) {
	names := make([]string, len(topFields))
	for i, f := range topFields {
		names[i] = f.name
	}
	tests := []struct {
		key, want string
	}{
		{key: "keystorFile", want: "keystoreFile"},
		{key: "keyStoreFiles", want: "keystoreFile"},
		{key: "keystore_file", want: "keystoreFile"},
		{key: "trustStorePassword", want: "truststorePass"},
		{key: "trustorePass", want: "truststorePass"},
		{key: "URL", want: "url"},
		{key: "uri", want: "url"},
		{key: "insecureSkipVerfy", want: "insecureSkipVerify"},
		{key: "header", want: "headers"},
		{key: "timeoutSeconds", want: "timeout"},
		{key: "foo", want: ""},
		{key: "queueName", want: ""},
		{key: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			assert.Equal(t, tt.want, suggest(tt.key, names))
		})
	}
}

func TestParseUnknownFields(t *testing.T) {
	tests := []struct {
		name, src, field string
	}{
		{name: "typo at the top", src: `{url: 'https://x.example', keystorFile: 'a.jks'}`, field: "keystorFile"},
		{name: "typo in retry", src: `{url: 'https://x.example', retry: {maxAttempt: 3}}`, field: "retry.maxAttempt"},
		{name: "far from everything", src: `{url: 'https://x.example', queue: 'q'}`, field: "queue"},
		{name: "empty key", src: `{url: 'https://x.example', '': 'q'}`, field: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), noEnv)
			fe := requireFieldError(t, err, tt.field)
			assert.ErrorIs(t, fe, ErrUnknownField)
			assert.ErrorIs(t, err, ErrInvalid)
		})
	}
}

// TestParseUnknownFieldSaysDidYouMean checks the one message whose words are
// the feature: a typo names the field it probably meant.
func TestParseUnknownFieldSaysDidYouMean(t *testing.T) {
	_, err := Parse([]byte(`{url: 'https://x.example', keystorFile: 'a.jks'}`), noEnv)
	fe := requireFieldError(t, err, "keystorFile")
	assert.EqualError(t, fe, `destination: field "keystorFile": unknown field; did you mean "keystoreFile"?`)
}

func TestParseDurations(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    time.Duration
		wantErr bool
	}{
		{name: "go duration", value: `'30s'`, want: 30 * time.Second},
		{name: "compound", value: `"1m30s"`, want: 90 * time.Second},
		{name: "number of seconds", value: `30`, want: 30 * time.Second},
		{name: "fraction of seconds", value: `0.5`, want: 500 * time.Millisecond},
		{name: "seconds in a string", value: `'45'`, want: 45 * time.Second},
		{name: "spaces trimmed", value: `' 2s '`, want: 2 * time.Second},
		{name: "zero", value: `0`, wantErr: true},
		{name: "zero duration", value: `'0s'`, wantErr: true},
		{name: "negative", value: `-1`, wantErr: true},
		{name: "not a duration", value: `'soon'`, wantErr: true},
		{name: "boolean", value: `true`, wantErr: true},
		{name: "object", value: `{}`, wantErr: true},
		{name: "overflow", value: `1e300`, wantErr: true},
		{name: "overflow string", value: `'99999999999h'`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(`{url: 'https://x.example', timeout: `+tt.value+`, retry: {waitMax: `+tt.value+`}}`), noEnv)
			if tt.wantErr {
				requireFieldError(t, err, "timeout")
				requireFieldError(t, err, "retry.waitMax")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Timeout)
			assert.Equal(t, tt.want, cfg.Retry.WaitMax)
		})
	}
}

func TestParseMaxAttempts(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    int
		wantErr bool
	}{
		{name: "number", value: `3`, want: 3},
		{name: "string", value: `'3'`, want: 3},
		{name: "hundred", value: `100`, want: 100},
		{name: "zero", value: `0`, wantErr: true},
		{name: "over a hundred", value: `101`, wantErr: true},
		{name: "negative", value: `-1`, wantErr: true},
		{name: "fraction", value: `2.5`, wantErr: true},
		{name: "exponent", value: `1e2`, wantErr: true},
		{name: "boolean", value: `true`, wantErr: true},
		{name: "words", value: `'three'`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(`{url: 'https://x.example', retry: {maxAttempts: `+tt.value+`}}`), noEnv)
			if tt.wantErr {
				requireFieldError(t, err, "retry.maxAttempts")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Retry.MaxAttempts)
		})
	}
}

func TestParseInsecureSkipVerify(t *testing.T) {
	tests := []struct {
		value   string
		want    bool
		wantErr bool
	}{
		{value: `true`, want: true},
		{value: `'true'`, want: true},
		{value: `"True"`, want: true},
		{value: `false`},
		{value: `'false'`},
		{value: `'FALSE'`},
		{value: `null`},
		{value: `1`, wantErr: true},
		{value: `0`, wantErr: true},
		{value: `'yes'`, wantErr: true},
		{value: `''`, wantErr: true},
		{value: `' true'`, wantErr: true},
		{value: `'on'`, wantErr: true},
		{value: `{}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			cfg, err := Parse([]byte(`{url: 'https://x.example', insecureSkipVerify: `+tt.value+`}`), noEnv)
			if tt.wantErr {
				requireFieldError(t, err, "insecureSkipVerify")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.InsecureSkipVerify)
		})
	}
}

func TestParseWrongTypes(t *testing.T) {
	tests := []struct {
		name, src, field string
	}{
		{name: "url number", src: `{url: 5}`, field: "url"},
		{name: "headers string", src: `{url: 'https://x.example', headers: 'X-A: b'}`, field: "headers"},
		{name: "params array", src: `{url: 'https://x.example', params: ['a']}`, field: "params"},
		{name: "param object", src: `{url: 'https://x.example', params: {a: {}}}`, field: "params.a"},
		{name: "param null", src: `{url: 'https://x.example', params: {a: null}}`, field: "params.a"},
		{name: "header array", src: `{url: 'https://x.example', headers: {A: []}}`, field: "headers.A"},
		{name: "path boolean", src: `{url: 'https://x.example', caFile: true}`, field: "caFile"},
		{name: "password object", src: `{url: 'https://x.example', username: 'u', password: {}}`, field: "password"},
		{name: "retry number", src: `{url: 'https://x.example', retry: 3}`, field: "retry"},
		{name: "method number", src: `{url: 'https://x.example', method: 1}`, field: "method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), noEnv)
			requireFieldError(t, err, tt.field)
			assert.Len(t, fieldErrors(t, err), 1, "one mistake, one error: %v", err)
		})
	}
}

func TestParseScalarsAsText(t *testing.T) {
	cfg, err := Parse([]byte(`{url: 'https://x.example', keystoreFile: 'a.jks', keystorePass: 123456, keystoreType: 'PEM', minTLSVersion: 1.3}`),
		WithDir(dirWithFiles(t, "a.jks")), noEnv)
	require.NoError(t, err)
	assert.Equal(t, []byte("123456"), cfg.KeystorePass.Bytes())
	assert.Equal(t, "1.3", cfg.MinTLSVersion)
	assert.Equal(t, "pem", cfg.KeystoreType)
}

// TestParseReportsOneMistakeOnce: when a field fails to decode, rules that
// read it stay quiet instead of adding a second, misleading error.
func TestParseReportsOneMistakeOnce(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{name: "bad keystoreFile, pass given", src: `{url: 'https://x.example', keystoreFile: 5, keystorePass: 'p'}`, want: []string{"keystoreFile"}},
		{name: "bad url", src: `{url: ['https://x.example']}`, want: []string{"url"}},
		{name: "undefined password var", src: `{url: 'https://x.example', keystoreFile: 'a.jks', keystorePass: '${NOPE}'}`, want: []string{"keystorePass"}},
		{name: "bad waitMax, big waitMin", src: `{url: 'https://x.example', retry: {waitMin: '1m', waitMax: 'x'}}`, want: []string{"retry.waitMax"}},
		{name: "bad username", src: `{url: 'https://x.example', username: 5, password: 'p'}`, want: []string{"username"}},
	}
	dir := dirWithFiles(t, "a.jks")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), WithDir(dir), noEnv)
			assert.Equal(t, tt.want, errorFields(t, err), "%v", err)
		})
	}
}
