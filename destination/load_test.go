package destination

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envOf is an environment for ${NAME} and env:NAME that tests control
// without touching the process's.
func envOf(vars map[string]string) ParseOption {
	return WithLookupEnv(func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	})
}

// noEnv is an empty environment.
var noEnv = envOf(nil)

// dirWithFiles returns a temporary folder holding the named files (empty
// unless a content is given as "name=content").
func dirWithFiles(t testing.TB, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		name, content, _ := strings.Cut(f, "=")
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	}
	return dir
}

// fieldErrors returns every *FieldError in err (errors.Join'ed or not).
func fieldErrors(t testing.TB, err error) []*FieldError {
	t.Helper()
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		if fe, ok := errors.AsType[*FieldError](err); ok && fe == err {
			out = append(out, fe)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

// errorFields returns the Field of every *FieldError in err, in order.
func errorFields(t testing.TB, err error) []string {
	t.Helper()
	var fields []string
	for _, fe := range fieldErrors(t, err) {
		fields = append(fields, fe.Field)
	}
	return fields
}

// requireFieldError returns the *FieldError about field in err.
func requireFieldError(t testing.TB, err error, field string) *FieldError {
	t.Helper()
	require.Error(t, err)
	for _, fe := range fieldErrors(t, err) {
		if fe.Field == field {
			return fe
		}
	}
	require.Failf(t, "no FieldError for "+field, "got fields %q in %v", errorFields(t, err), err)
	return nil
}

func TestLoadResolvesAgainstTheFilesFolder(t *testing.T) {
	cfg, err := Load(filepath.Join("testdata", "neo-mtls.json"), noEnv)
	require.NoError(t, err)
	wantDir, err := filepath.Abs("testdata")
	require.NoError(t, err)
	assert.Equal(t, wantDir, cfg.Dir)
	assert.Equal(t, "../../testdata/keytool/client-rsa.jks", cfg.KeystoreFile, "paths stay as written")
	assert.Equal(t, filepath.Join(wantDir, "../../testdata/keytool/client-rsa.jks"), cfg.Path(cfg.KeystoreFile))
	assert.FileExists(t, cfg.Path(cfg.TruststoreFile))
	assert.Equal(t, "POST", cfg.Method)
	assert.Equal(t, map[string]string{"message": "%{payload}"}, cfg.Params)
	assert.Equal(t, []byte("changeit"), cfg.KeystorePass.Bytes())
}

func TestLoadStrictFile(t *testing.T) {
	cfg, err := Load(filepath.Join("testdata", "strict.json"), Strict(), envOf(map[string]string{"PARTNER_HOST": "partner.example.com"}))
	require.NoError(t, err)
	assert.Equal(t, "https://partner.example.com/in", cfg.URL)
	assert.Equal(t, "GET", cfg.Method)
	assert.Equal(t, "1.3", cfg.MinTLSVersion)
	assert.Equal(t, Retry{MaxAttempts: 3, WaitMin: 250e6, WaitMax: 5e9}, cfg.Retry)
}

// Problems with absent fields (password, required with username) come last.
func TestLoadReportsEveryProblemInFileOrder(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "invalid-many.json"), noEnv)
	require.ErrorIs(t, err, ErrInvalid)
	assert.Equal(t, []string{"url", "method", "keystore.file", "keystorFile", "keystorePass", "retry.maxAttempts", "insecureSkipVerify", "minTLSVersion", "password"},
		errorFields(t, err))
}

func TestLoadExplicitDirWins(t *testing.T) {
	dir := dirWithFiles(t, "client.jks")
	src := dirWithFiles(t, "dest.json={url: 'https://x.example/in', keystoreFile: 'client.jks', keystorePass: 'p'}")
	cfg, err := Load(filepath.Join(src, "dest.json"), WithDir(dir), noEnv)
	require.NoError(t, err)
	assert.Equal(t, dir, cfg.Dir)
}

func TestLoadMissingFileIsNotInvalid(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.json"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.NotErrorIs(t, err, ErrInvalid, "a missing file is an I/O problem, not a bad destination")
}

func TestReadUsesWithDir(t *testing.T) {
	dir := dirWithFiles(t, "keys/client.jks")
	cfg, err := Read(strings.NewReader(`{url: 'https://x.example/in', keystoreFile: 'keys/client.jks', keystorePass: 'p'}`), WithDir(dir), noEnv)
	require.NoError(t, err)
	assert.Equal(t, dir, cfg.Dir)
	assert.Equal(t, filepath.Join(dir, "keys", "client.jks"), cfg.Path(cfg.KeystoreFile))
}

func TestReadAndParseRefuseTooLarge(t *testing.T) {
	big := strings.Repeat(" ", MaxSize) + "{}"
	_, err := Read(strings.NewReader(big), noEnv)
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = Parse([]byte(big), noEnv)
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestReadWrapsReaderErrors(t *testing.T) {
	boom := errors.New("boom")
	_, err := Read(iotest.ErrReader(boom))
	assert.ErrorIs(t, err, boom)
	_, err = Read(io.MultiReader(strings.NewReader("{"), iotest.ErrReader(boom)))
	assert.ErrorIs(t, err, boom)
}

func TestParseOptionsCheckThemselves(t *testing.T) {
	tests := []struct {
		name string
		opt  ParseOption
	}{
		{name: "nil lookup", opt: WithLookupEnv(nil)},
		{name: "empty dir", opt: WithDir("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(`{url: 'https://x.example'}`), tt.opt)
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrInvalid, "a bad option is the caller's bug, not a bad destination")
		})
	}
}

func TestPath(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "a.jks")
	tests := []struct {
		name, dir, p, want string
	}{
		{name: "empty stays empty", dir: "/etc/courier", p: "", want: ""},
		{name: "relative joins dir", dir: "/etc/courier", p: "keys/a.jks", want: filepath.Join("/etc/courier", "keys", "a.jks")},
		{name: "parent", dir: "/etc/courier", p: "../a.jks", want: filepath.Join("/etc", "a.jks")},
		{name: "absolute stays", dir: "/etc/courier", p: abs, want: abs},
		{name: "no dir stays relative", dir: "", p: "a.jks", want: "a.jks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Config{Dir: tt.dir}
			assert.Equal(t, tt.want, c.Path(tt.p))
		})
	}
}
