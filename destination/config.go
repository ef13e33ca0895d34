package destination

import (
	"crypto/tls"
	"path/filepath"
	"time"
)

// Config is an outbound HTTPS destination, as integration platforms write it in
// JSON. The zero value of every optional field means "use the default" (see
// defaults.go). Relative file paths resolve against Dir.
type Config struct {
	URL     string            // required: https://host[:port]/path; may hold %{payload} and %{id}
	Method  string            // GET or POST; "" means POST
	Headers map[string]string // request headers; values may hold %{payload} and %{id}
	Params  map[string]string // request parameters; values may hold %{payload} and %{id}

	KeystoreFile   string // client key pair: JKS, PKCS#12 or PEM
	KeystorePass   Secret
	KeystoreType   string // "jks", "pkcs12" or "pem"; "" detects it from the file's bytes
	KeyAlias       string // which key entry; "" means the only one
	KeyPass        Secret // key entry password; unset means KeystorePass (as NEO assumes)
	TruststoreFile string // the server's CAs; "" with CAFile "" means the system roots
	TruststorePass Secret
	TruststoreType string

	CertFile string // PEM client chain (instead of KeystoreFile)
	KeyFile  string // PEM private key for CertFile
	CAFile   string // PEM CA bundle (instead of TruststoreFile)

	Username string // HTTP Basic user, as NEO's REST clients use
	Password Secret

	Timeout     time.Duration // per attempt; 0 means DefaultTimeout
	Retry       Retry
	IDHeader    string // header carrying the message ID; "" means DefaultIDHeader
	ContentType string // content type of a raw payload body; "" means DefaultContentType

	ServerName         string // TLS server name to verify instead of the URL's host
	MinTLSVersion      string // "1.2" or "1.3"; "" means 1.2
	InsecureSkipVerify bool   // accept any server certificate; logged as a warning every time

	// Dir is the folder relative paths resolve against: the JSON file's
	// folder when the Config came from Load.
	Dir string
}

// Retry bounds the client's fast, in-request retries.
type Retry struct {
	MaxAttempts int           // attempts in all, the first included; 0 means DefaultMaxAttempts
	WaitMin     time.Duration // first backoff; 0 means DefaultWaitMin
	WaitMax     time.Duration // cap on every wait, Retry-After included; 0 means DefaultWaitMax
}

// Path resolves p against c.Dir: an absolute p, or any p when Dir is "",
// is returned as is (relative to the working directory); "" stays "".
// Paths in the Config stay as written; resolve them with Path when opening.
func (c *Config) Path(p string) string { return resolvePath(c.Dir, p) }

func resolvePath(dir, p string) string {
	if p == "" || dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// TLSMinVersion returns MinTLSVersion as a crypto/tls constant: TLS 1.3 for
// "1.3", TLS 1.2 otherwise (the default). Validate normalises the spelling.
func (c *Config) TLSMinVersion() uint16 {
	if c.MinTLSVersion == "1.3" {
		return tls.VersionTLS13
	}
	return tls.VersionTLS12
}
