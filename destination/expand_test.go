package destination

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpandVars(t *testing.T) {
	vars := map[string]string{"ROOT": "/srv/neo", "HOST": "partner.example.com", "LOOP": "${ROOT}", "EMPTY": "", "a.b-c_1": "ok"}
	lookup := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	tests := []struct {
		name, in, want string
		wantErr        error
	}{
		{name: "no variables", in: "https://x/%{payload}", want: "https://x/%{payload}"},
		{name: "one", in: "${ROOT}/keys/a.jks", want: "/srv/neo/keys/a.jks"},
		{name: "several", in: "https://${HOST}${ROOT}", want: "https://partner.example.com/srv/neo"},
		{name: "empty value", in: "a${EMPTY}b", want: "ab"},
		{name: "name characters", in: "${a.b-c_1}", want: "ok"},
		{name: "not expanded twice", in: "${LOOP}", want: "${ROOT}"},
		{name: "escape", in: "$${ROOT}", want: "${ROOT}"},
		{name: "escape then variable", in: "$${ROOT}${ROOT}", want: "${ROOT}/srv/neo"},
		{name: "lone dollars stay", in: "pa$$word$", want: "pa$$word$"},
		{name: "undefined", in: "${NOPE}", wantErr: ErrUndefinedVar},
		{name: "unterminated", in: "${ROOT", wantErr: errAny},
		{name: "empty name", in: "${}", wantErr: errAny},
		{name: "bad name", in: "${A B}", wantErr: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandVars(tt.in, lookup)
			if tt.wantErr != nil {
				require.Error(t, err)
				if tt.wantErr != errAny {
					assert.ErrorIs(t, err, tt.wantErr)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// errAny marks a table case that wants some error, whatever it wraps.
var errAny = &FieldError{Field: "any"}

func TestParseExpandsEveryStringValue(t *testing.T) {
	dir := dirWithFiles(t, "neo/keys/client.jks")
	src := `{url: 'https://${HOST}/in?q=${Q}', keystoreFile: '${SharedFileSystemRoot}/keys/client.jks', keystorePass: 'pre-${PASS}',
		headers: {X-Env: '${ENV}'}, params: {'${NOT_A_KEY}': '${Q}'}}`
	cfg, err := Parse([]byte(src),
		WithVars(map[string]string{"SharedFileSystemRoot": filepath.Join(dir, "neo"), "Q": "from-vars"}),
		envOf(map[string]string{"HOST": "partner.example.com", "PASS": "secret", "ENV": "prod", "Q": "from-env"}))
	require.NoError(t, err)
	assert.Equal(t, "https://partner.example.com/in?q=from-vars", cfg.URL, "vars win over the environment")
	assert.Equal(t, filepath.Join(dir, "neo", "keys", "client.jks"), cfg.KeystoreFile)
	assert.Equal(t, []byte("pre-secret"), cfg.KeystorePass.Bytes())
	assert.Equal(t, map[string]string{"X-Env": "prod"}, cfg.Headers)
	assert.Equal(t, map[string]string{"${NOT_A_KEY}": "from-vars"}, cfg.Params, "keys are not expanded")
}

func TestParseUndefinedVariable(t *testing.T) {
	_, err := Parse([]byte(`{url: 'https://x.example', headers: {X-A: '${MISSING_VAR}'}}`), noEnv)
	fe := requireFieldError(t, err, "headers.X-A")
	assert.ErrorIs(t, fe, ErrUndefinedVar)
	assert.Contains(t, fe.Error(), "MISSING_VAR", "the message names the variable")
}

func TestParseUsesTheProcessEnvironmentByDefault(t *testing.T) {
	t.Setenv("COURIER_TEST_HOST", "env.example.com")
	cfg, err := Parse([]byte(`{url: 'https://${COURIER_TEST_HOST}/in'}`))
	require.NoError(t, err)
	assert.Equal(t, "https://env.example.com/in", cfg.URL)
}

func TestParsePasswordSources(t *testing.T) {
	dir := dirWithFiles(t,
		"client.jks",
		"pass/plain.txt=filepass\n",
		"pass/crlf.txt=crlfpass\r\n",
		"pass/two.txt=twolines\n\n",
		"pass/none.txt=nonewline",
		"pass/empty.txt=",
	)
	env := envOf(map[string]string{"KS_PASS": "envpass"})
	tests := []struct {
		name, value string
		want        string
		wantErr     error
	}{
		{name: "literal", value: `'changeit'`, want: "changeit"},
		{name: "env", value: `'env:KS_PASS'`, want: "envpass"},
		{name: "env from vars", value: `'env:VAR_PASS'`, want: "varpass"},
		{name: "file relative to dir", value: `'file:pass/plain.txt'`, want: "filepass"},
		{name: "file absolute", value: `'file:` + filepath.Join(dir, "pass", "plain.txt") + `'`, want: "filepass"},
		{name: "file via variable", value: `'file:${PASS_DIR}/plain.txt'`, want: "filepass"},
		{name: "file CRLF", value: `'file:pass/crlf.txt'`, want: "crlfpass"},
		{name: "file trims one newline", value: `'file:pass/two.txt'`, want: "twolines\n"},
		{name: "file without newline", value: `'file:pass/none.txt'`, want: "nonewline"},
		{name: "empty file is an empty password", value: `'file:pass/empty.txt'`, want: ""},
		{name: "prefix is case-sensitive", value: `'ENV:KS_PASS'`, want: "ENV:KS_PASS"},
		{name: "env undefined", value: `'env:NOPE'`, wantErr: ErrUndefinedVar},
		{name: "env without name", value: `'env:'`, wantErr: ErrInvalid},
		{name: "file missing", value: `'file:pass/nope.txt'`, wantErr: fs.ErrNotExist},
		{name: "file is a directory", value: `'file:pass'`, wantErr: ErrInvalid},
		{name: "file without path", value: `'file:'`, wantErr: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(`{url: 'https://x.example', keystoreFile: 'client.jks', keystorePass: `+tt.value+`}`),
				WithDir(dir), env, WithVars(map[string]string{"VAR_PASS": "varpass", "PASS_DIR": filepath.Join(dir, "pass")}))
			if tt.wantErr != nil {
				fe := requireFieldError(t, err, "keystorePass")
				assert.ErrorIs(t, fe, tt.wantErr)
				assert.Len(t, fieldErrors(t, err), 1, "no second error for the same field: %v", err)
				return
			}
			require.NoError(t, err)
			assert.True(t, cfg.KeystorePass.IsSet())
			assert.Equal(t, []byte(tt.want), cfg.KeystorePass.Bytes())
		})
	}
}

func TestLoadPasswordFileRelativeToJSON(t *testing.T) {
	dir := dirWithFiles(t,
		"conf/dest.json={url: 'https://x.example', keystoreFile: 'keys/client.jks', keystorePass: 'file:keys/ks.pass', username: 'neo', password: 'file:../secrets/basic'}",
		"conf/keys/client.jks",
		"conf/keys/ks.pass=storepass\n",
		"secrets/basic=basicpass\n",
	)
	cfg, err := Load(filepath.Join(dir, "conf", "dest.json"), noEnv)
	require.NoError(t, err)
	assert.Equal(t, []byte("storepass"), cfg.KeystorePass.Bytes())
	assert.Equal(t, []byte("basicpass"), cfg.Password.Bytes())
}

func TestPasswordFileErrorsNeverShowContent(t *testing.T) {
	big := strings.Repeat("hunter2", maxSecretFile/7+1)
	dir := dirWithFiles(t, "client.jks", "big.pass="+big)
	_, err := Parse([]byte(`{url: 'https://x.example', keystoreFile: 'client.jks', keystorePass: 'file:big.pass'}`), WithDir(dir), noEnv)
	fe := requireFieldError(t, err, "keystorePass")
	assert.NotContains(t, fe.Error(), "hunter2")
	assert.Contains(t, fe.Error(), filepath.Join(dir, "big.pass"), "names the file")
}

func TestPasswordFileUnreadable(t *testing.T) {
	// A directory where the password file should be: unreadable for
	// everyone, root included (a chmod 0 file is not, for root).
	dir := dirWithFiles(t, "client.jks")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "locked.pass"), 0o700))
	_, err := Parse([]byte(`{url: 'https://x.example', keystoreFile: 'client.jks', keystorePass: 'file:locked.pass'}`), WithDir(dir), noEnv)
	fe := requireFieldError(t, err, "keystorePass")
	assert.Contains(t, fe.Error(), "locked.pass")
}
