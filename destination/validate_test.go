package destination

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validFixture returns a valid Config whose files exist in a temporary Dir,
// for rules to break one at a time.
func validFixture(t *testing.T) *Config {
	t.Helper()
	return &Config{
		URL:          "https://partner.example.com/in?id=%{id}",
		KeystoreFile: "client.jks", KeystorePass: NewSecret("changeit"),
		TruststoreFile: "trust.jks", TruststorePass: NewSecret("changeit"),
		Dir: dirWithFiles(t, "client.jks", "trust.jks", "client.crt", "client.key", "ca.pem", "keys/dir/x"),
	}
}

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name    string
		change  func(c *Config)
		field   string // "" means valid
		wantErr error  // a cause to find with errors.Is, besides ErrInvalid
	}{
		{name: "valid", change: func(c *Config) {}},
		{name: "url required", change: func(c *Config) { c.URL = "" }, field: "url"},
		{name: "url relative", change: func(c *Config) { c.URL = "partner.example.com/in" }, field: "url"},
		{name: "url scheme ftp", change: func(c *Config) { c.URL = "ftp://partner.example.com/in" }, field: "url"},
		{name: "url http with keystores", change: func(c *Config) { c.URL = "http://partner.example.com/in" }, field: "url"},
		{name: "url http with caFile only", change: func(c *Config) {
			c.URL, c.KeystoreFile, c.KeystorePass, c.TruststoreFile, c.TruststorePass, c.CAFile = "http://p.example", "", Secret{}, "", Secret{}, "ca.pem"
		}, field: "url"},
		{name: "url http without TLS fields", change: func(c *Config) {
			c.URL, c.KeystoreFile, c.KeystorePass, c.TruststoreFile, c.TruststorePass = "http://localhost:8080/in", "", Secret{}, "", Secret{}
		}},
		{name: "url upper-case scheme", change: func(c *Config) { c.URL = "HTTPS://partner.example.com" }},
		{name: "url no host", change: func(c *Config) { c.URL = "https:///in" }, field: "url"},
		{name: "url opaque", change: func(c *Config) { c.URL = "https:partner" }, field: "url"},
		{name: "url credentials", change: func(c *Config) { c.URL = "https://neo:pw@partner.example.com" }, field: "url"},
		{name: "url bad escape", change: func(c *Config) { c.URL = "https://partner.example.com/%zz" }, field: "url"},
		{name: "url bad port", change: func(c *Config) { c.URL = "https://partner.example.com:https/" }, field: "url"},
		{name: "url templates", change: func(c *Config) { c.URL = "https://partner.example.com/%{id}?m=%{payload}" }},
		{name: "method lower case", change: func(c *Config) { c.Method = "get" }},
		{name: "method PUT", change: func(c *Config) { c.Method = "PUT" }, field: "method"},
		{name: "keystore and cert", change: func(c *Config) { c.CertFile, c.KeyFile = "client.crt", "client.key" }, field: "certFile"},
		{name: "cert without key", change: func(c *Config) { c.KeystoreFile, c.KeystorePass, c.CertFile = "", Secret{}, "client.crt" }, field: "keyFile"},
		{name: "key without cert", change: func(c *Config) { c.KeystoreFile, c.KeystorePass, c.KeyFile = "", Secret{}, "client.key" }, field: "certFile"},
		{name: "cert and key", change: func(c *Config) {
			c.KeystoreFile, c.KeystorePass, c.CertFile, c.KeyFile = "", Secret{}, "client.crt", "client.key"
		}},
		{name: "truststore and ca", change: func(c *Config) { c.CAFile = "ca.pem" }, field: "caFile"},
		{name: "ca alone", change: func(c *Config) { c.TruststoreFile, c.TruststorePass, c.CAFile = "", Secret{}, "ca.pem" }},
		{name: "keystore without pass", change: func(c *Config) { c.KeystorePass = Secret{} }, field: "keystorePass"},
		{name: "keystore empty pass", change: func(c *Config) { c.KeystorePass = NewSecret("") }},
		{name: "pem keystore without pass", change: func(c *Config) { c.KeystorePass, c.KeystoreType = Secret{}, "PEM" }},
		{name: "truststore without pass", change: func(c *Config) { c.TruststorePass = Secret{} }, field: "truststorePass"},
		{name: "pem truststore without pass", change: func(c *Config) { c.TruststorePass, c.TruststoreType = Secret{}, "pem" }},
		{name: "keyPass without keystore", change: func(c *Config) { c.KeystoreFile, c.KeystorePass, c.KeyPass = "", Secret{}, NewSecret("k") }, field: "keyPass"},
		{name: "keyAlias without keystore", change: func(c *Config) { c.KeystoreFile, c.KeystorePass, c.KeyAlias = "", Secret{}, "client" }, field: "keyAlias"},
		{name: "keystorePass without keystore", change: func(c *Config) { c.KeystoreFile = "" }, field: "keystorePass"},
		{name: "keystoreType without keystore", change: func(c *Config) { c.KeystoreFile, c.KeystorePass, c.KeystoreType = "", Secret{}, "jks" }, field: "keystoreType"},
		{name: "truststorePass without truststore", change: func(c *Config) { c.TruststoreFile = "" }, field: "truststorePass"},
		{name: "truststoreType without truststore", change: func(c *Config) { c.TruststoreFile, c.TruststorePass, c.TruststoreType = "", Secret{}, "jks" }, field: "truststoreType"},
		{name: "keystoreType unknown", change: func(c *Config) { c.KeystoreType = "bks" }, field: "keystoreType"},
		{name: "truststoreType unknown", change: func(c *Config) { c.TruststoreType = "jceks" }, field: "truststoreType"},
		{name: "keystore missing", change: func(c *Config) { c.KeystoreFile = "nope.jks" }, field: "keystoreFile", wantErr: fs.ErrNotExist},
		{name: "truststore missing", change: func(c *Config) { c.TruststoreFile = "nope.jks" }, field: "truststoreFile", wantErr: fs.ErrNotExist},
		{name: "ca missing", change: func(c *Config) { c.TruststoreFile, c.TruststorePass, c.CAFile = "", Secret{}, "nope.pem" }, field: "caFile", wantErr: fs.ErrNotExist},
		{name: "cert and key missing", change: func(c *Config) {
			c.KeystoreFile, c.KeystorePass, c.CertFile, c.KeyFile = "", Secret{}, "client.crt", "nope.key"
		}, field: "keyFile", wantErr: fs.ErrNotExist},
		{name: "keystore is a directory", change: func(c *Config) { c.KeystoreFile = "keys" }, field: "keystoreFile"},
		{name: "keystore absolute", change: func(c *Config) { c.KeystoreFile = filepath.Join(c.Dir, "client.jks") }},
		{name: "username without password", change: func(c *Config) { c.Username = "neo" }, field: "password"},
		{name: "password without username", change: func(c *Config) { c.Password = NewSecret("pw") }, field: "username"},
		{name: "username with colon", change: func(c *Config) { c.Username, c.Password = "neo:x", NewSecret("pw") }, field: "username"},
		{name: "basic auth", change: func(c *Config) { c.Username, c.Password = "neo", NewSecret("pw") }},
		{name: "tls 1.1", change: func(c *Config) { c.MinTLSVersion = "1.1" }, field: "minTLSVersion"},
		{name: "tls nonsense", change: func(c *Config) { c.MinTLSVersion = "TLSv" }, field: "minTLSVersion"},
		{name: "tls 1.3", change: func(c *Config) { c.MinTLSVersion = "TLSv1.3" }},
		{name: "timeout negative", change: func(c *Config) { c.Timeout = -1 }, field: "timeout"},
		{name: "maxAttempts over 100", change: func(c *Config) { c.Retry.MaxAttempts = 101 }, field: "retry.maxAttempts"},
		{name: "maxAttempts negative", change: func(c *Config) { c.Retry.MaxAttempts = -1 }, field: "retry.maxAttempts"},
		{name: "maxAttempts 100", change: func(c *Config) { c.Retry.MaxAttempts = 100 }},
		{name: "waitMin negative", change: func(c *Config) { c.Retry.WaitMin = -1 }, field: "retry.waitMin"},
		{name: "waitMax negative", change: func(c *Config) { c.Retry.WaitMax = -1 }, field: "retry.waitMax"},
		{name: "waitMin above waitMax", change: func(c *Config) { c.Retry.WaitMin, c.Retry.WaitMax = 2e9, 1e9 }, field: "retry.waitMin"},
		{name: "waitMin above default waitMax", change: func(c *Config) { c.Retry.WaitMin = 2 * DefaultWaitMax }, field: "retry.waitMin"},
		{name: "waitMax below default waitMin", change: func(c *Config) { c.Retry.WaitMax = DefaultWaitMin / 2 }, field: "retry.waitMin"},
		{name: "waitMin equals waitMax", change: func(c *Config) { c.Retry.WaitMin, c.Retry.WaitMax = 1e9, 1e9 }},
		{name: "idHeader not a token", change: func(c *Config) { c.IDHeader = "Message ID" }, field: "idHeader"},
		{name: "header name not a token", change: func(c *Config) { c.Headers = map[string]string{"X Trace": "1"} }, field: "headers.X Trace"},
		{name: "header name empty", change: func(c *Config) { c.Headers = map[string]string{"": "1"} }, field: "headers."},
		{name: "header value line break", change: func(c *Config) { c.Headers = map[string]string{"X-A": "a\r\nX-Evil: 1"} }, field: "headers.X-A"},
		{name: "header repeated", change: func(c *Config) { c.Headers = map[string]string{"X-A": "1", "x-a": "2"} }, field: "headers.x-a"},
		{name: "header is the id header", change: func(c *Config) { c.Headers = map[string]string{"idempotency-key": "fixed"} }, field: "headers.idempotency-key"},
		{name: "header with custom id header", change: func(c *Config) {
			c.IDHeader, c.Headers = "X-Message-Id", map[string]string{"Idempotency-Key": "%{id}", "X-Tab": "a\tb"}
		}},
		{name: "param without name", change: func(c *Config) { c.Params = map[string]string{"": "x"} }, field: "params"},
		{name: "contentType invalid", change: func(c *Config) { c.ContentType = "not a type" }, field: "contentType"},
		{name: "contentType with charset", change: func(c *Config) { c.ContentType = "application/json; charset=utf-8" }},
		{name: "serverName with port", change: func(c *Config) { c.ServerName = "partner.example.com:443" }, field: "serverName"},
		{name: "insecure with truststore", change: func(c *Config) { c.InsecureSkipVerify = true }, field: "insecureSkipVerify"},
		{name: "insecure alone", change: func(c *Config) {
			c.InsecureSkipVerify, c.TruststoreFile, c.TruststorePass = true, "", Secret{}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validFixture(t)
			tt.change(c)
			err := c.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			assert.Equal(t, []string{tt.field}, errorFields(t, err), "exactly one problem: %v", err)
			if tt.wantErr != nil {
				assert.ErrorIs(t, requireFieldError(t, err, tt.field), tt.wantErr)
			}
		})
	}
}

func TestValidateNormalises(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		check  func(t *testing.T, c *Config)
	}{
		{name: "method default", change: func(c *Config) {}, check: func(t *testing.T, c *Config) { assert.Equal(t, "POST", c.Method) }},
		{name: "method case", change: func(c *Config) { c.Method = " get " }, check: func(t *testing.T, c *Config) { assert.Equal(t, "GET", c.Method) }},
		{name: "jks", change: func(c *Config) { c.KeystoreType, c.TruststoreType = "JKS", "Jks" }, check: func(t *testing.T, c *Config) {
			assert.Equal(t, "jks", c.KeystoreType)
			assert.Equal(t, "jks", c.TruststoreType)
		}},
		{name: "pkcs12 spellings", change: func(c *Config) { c.KeystoreType, c.TruststoreType = "PKCS#12", "pfx" }, check: func(t *testing.T, c *Config) {
			assert.Equal(t, "pkcs12", c.KeystoreType)
			assert.Equal(t, "pkcs12", c.TruststoreType)
		}},
		{name: "p12", change: func(c *Config) { c.KeystoreType = "P12" }, check: func(t *testing.T, c *Config) { assert.Equal(t, "pkcs12", c.KeystoreType) }},
		{name: "TLSv1.2", change: func(c *Config) { c.MinTLSVersion = "TLSv1.2" }, check: func(t *testing.T, c *Config) {
			assert.Equal(t, "1.2", c.MinTLSVersion)
			assert.Equal(t, uint16(0x0303), c.TLSMinVersion())
		}},
		{name: "TLS1.3", change: func(c *Config) { c.MinTLSVersion = "TLS1.3" }, check: func(t *testing.T, c *Config) {
			assert.Equal(t, "1.3", c.MinTLSVersion)
			assert.Equal(t, uint16(0x0304), c.TLSMinVersion())
		}},
		{name: "tls_1_3", change: func(c *Config) { c.MinTLSVersion = "tls 1_3" }, check: func(t *testing.T, c *Config) { assert.Equal(t, "1.3", c.MinTLSVersion) }},
		{name: "paths stay as written", change: func(c *Config) { c.KeystoreFile = "./client.jks" }, check: func(t *testing.T, c *Config) {
			assert.Equal(t, "./client.jks", c.KeystoreFile)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validFixture(t)
			tt.change(c)
			require.NoError(t, c.Validate())
			tt.check(t, c)
		})
	}
}

func TestValidateReportsEverythingAtOnce(t *testing.T) {
	c := &Config{URL: "http://partner.example.com", Method: "PATCH", KeystoreFile: "missing.jks", CertFile: "c.crt",
		Username: "neo", Retry: Retry{MaxAttempts: 500}, Dir: t.TempDir()}
	err := c.Validate()
	assert.ElementsMatch(t, []string{"url", "method", "certFile", "keyFile", "keystorePass", "keystoreFile", "certFile", "password", "retry.maxAttempts"},
		errorFields(t, err), "%v", err)
}

// TestValidateErrorsNeverShowPasswords: not even the URL's own password.
func TestValidateErrorsNeverShowPasswords(t *testing.T) {
	for _, u := range []string{"https://neo:hunter2@partner.example.com/", "https://neo:hunter2@[::1/", "ftp://neo:hunter2@x/"} {
		c := &Config{URL: u}
		err := c.Validate()
		require.Error(t, err, u)
		assert.NotContains(t, err.Error(), "hunter2", u)
	}
}

func TestValidateOnParse(t *testing.T) {
	dir := dirWithFiles(t, "client.jks")
	_, err := Parse([]byte(`{url: 'https://x.example', keystoreFile: 'client.jks'}`), WithDir(dir), noEnv)
	assert.Equal(t, []string{"keystorePass"}, errorFields(t, err))
	_, err = Parse([]byte(`{url: 'https://x.example', keystoreFile: 'missing.jks', keystorePass: 'p'}`), WithDir(dir), noEnv)
	fe := requireFieldError(t, err, "keystoreFile")
	assert.ErrorIs(t, fe, fs.ErrNotExist)
	assert.Contains(t, fe.Error(), filepath.Join(dir, "missing.jks"), "names the resolved path")
}
