package destination_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
	"github.com/mtlscourier/courier/keystore"
)

// requireReason asserts err is an *destination.Error with the reason.
func requireReason(t *testing.T, err error, want destination.Reason) *destination.Error {
	t.Helper()
	require.Error(t, err)
	de, ok := errors.AsType[*destination.Error](err)
	require.True(t, ok, "want *destination.Error, got %T: %v", err, err)
	require.Equal(t, want, de.Reason, "error: %v", err)
	return de
}

// Every wire failure, against a real mutual-TLS server on loopback, in TLS 1.2
// and 1.3. None of them may be retried: the server must see at most one
// attempt (and, for handshake failures, no request at all).
func TestSendClassifiesWireFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, srv *destinationtest.Server, cfg *destination.Config)
		payload int
		want    destination.Reason
	}{
		{
			name: "server signed by a CA we do not trust",
			setup: func(t *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.TruststoreFile = destinationtest.NewCA(t).WriteTruststoreJKS(t, "changeit")
			},
			want: destination.ReasonServerUntrusted,
		},
		{
			name: "server certificate for another host",
			setup: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.ServerName = "partner.example.com"
			},
			want: destination.ReasonHostnameMismatch,
		},
		{
			name: "client certificate from a rogue CA",
			setup: func(t *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.KeystoreFile = destinationtest.NewCA(t).IssueClient(t, "rogue").WriteJKS(t, "changeit")
			},
			want: destination.ReasonClientCertRejected,
		},
		{
			name: "client certificate from a rogue CA, large body",
			setup: func(t *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.KeystoreFile = destinationtest.NewCA(t).IssueClient(t, "rogue").WriteJKS(t, "changeit")
			},
			payload: 8 << 20,
			want:    destination.ReasonClientCertRejected,
		},
		{
			name: "no client certificate",
			setup: func(_ *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.KeystoreFile, cfg.KeystorePass = "", destination.Secret{}
			},
			want: destination.ReasonClientCertRejected,
		},
		{
			name: "closed port",
			setup: func(t *testing.T, _ *destinationtest.Server, cfg *destination.Config) {
				cfg.URL = "https://" + closedPort(t) + "/in"
				cfg.Retry.MaxAttempts = 2
			},
			want: destination.ReasonConnectionFailed,
		},
		{
			name: "slow server",
			setup: func(_ *testing.T, srv *destinationtest.Server, cfg *destination.Config) {
				srv.Delay(time.Minute)
				cfg.Timeout = 200 * time.Millisecond
				cfg.Retry.MaxAttempts = 1
			},
			want: destination.ReasonTimeout,
		},
	}
	for _, v := range tlsVersions {
		for _, tt := range tests {
			t.Run(v.name+"/"+tt.name, func(t *testing.T) {
				srv := destinationtest.NewServer(t, destinationtest.WithMaxTLSVersion(v.version))
				cfg := srv.Destination(t)
				tt.setup(t, srv, cfg)
				client := newClient(t, cfg)

				payload := []byte("x")
				if tt.payload > 0 {
					payload = make([]byte, tt.payload)
				}
				res, err := client.Send(context.Background(), destination.Message{Payload: payload})
				de := requireReason(t, err, tt.want)
				if !tt.want.Retryable() {
					assert.Equal(t, 1, res.Attempts, "deterministic failures are not retried")
				}
				assert.Equal(t, res.Attempts, de.Attempts)
				assert.Contains(t, err.Error(), tt.want.Advice(), "the error says what to do")
			})
		}
	}
}

func TestSendConnectionFailuresAreRetried(t *testing.T) {
	srv := destinationtest.NewServer(t)
	cfg := srv.Destination(t)
	cfg.URL = "https://" + closedPort(t) + "/in"
	cfg.Retry.MaxAttempts = 3
	res, err := newClient(t, cfg).Send(context.Background(), destination.Message{Payload: []byte("x")})
	requireReason(t, err, destination.ReasonConnectionFailed)
	assert.Equal(t, 3, res.Attempts)
}

func TestSendMissingIntermediateIsExplained(t *testing.T) {
	// The server trusts only the root: a chain without the intermediate
	// cannot be verified. Go would send no certificate at all (the server's
	// acceptable-CA list names only the root); courier sends it anyway and
	// names the likely cause.
	for _, v := range tlsVersions {
		t.Run(v.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t, destinationtest.WithMaxTLSVersion(v.version))
			leafOnly := srv.ClientIdentity(t).LeafOnly()
			cfg := srv.Destination(t, destinationtest.WithIdentity(leafOnly))
			_, err := newClient(t, cfg).Send(context.Background(), destination.Message{Payload: []byte("x")})
			de := requireReason(t, err, destination.ReasonClientCertRejected)
			assert.Contains(t, de.Detail, "intermediate CA is probably missing")
			assert.Empty(t, srv.Requests())
		})
	}
}

func TestNewClassifiesKeystoreProblems(t *testing.T) {
	fixtures, err := filepath.Abs("../testdata/keytool")
	require.NoError(t, err)
	fixtures += "/"
	tests := []struct {
		name      string
		edit      func(t *testing.T, cfg *destination.Config)
		want      destination.Reason
		wantField string
		wantErr   error
	}{
		{
			name:      "wrong keystorePass",
			edit:      func(_ *testing.T, c *destination.Config) { c.KeystorePass = destination.NewSecret("wrong-pass-123") },
			want:      destination.ReasonKeystorePassword,
			wantField: "keystorePass",
			wantErr:   keystore.ErrWrongPassword,
		},
		{
			name: "wrong keyPass",
			edit: func(_ *testing.T, c *destination.Config) {
				c.KeystoreFile = fixtures + "client-keypass.jks"
			},
			want:      destination.ReasonKeystorePassword,
			wantField: "keyPass",
			wantErr:   keystore.ErrWrongKeyPassword,
		},
		{
			name:      "wrong truststorePass",
			edit:      func(_ *testing.T, c *destination.Config) { c.TruststorePass = destination.NewSecret("wrong-pass-123") },
			want:      destination.ReasonKeystorePassword,
			wantField: "truststorePass",
			wantErr:   keystore.ErrWrongPassword,
		},
		{
			name:      "several key entries, no alias",
			edit:      func(_ *testing.T, c *destination.Config) { c.KeystoreFile = fixtures + "client-multi.jks" },
			want:      destination.ReasonKeyNotFound,
			wantField: "keyAlias",
			wantErr:   keystore.ErrAmbiguousAlias,
		},
		{
			name:      "unknown alias",
			edit:      func(_ *testing.T, c *destination.Config) { c.KeyAlias = "nobody" },
			want:      destination.ReasonKeyNotFound,
			wantField: "keyAlias",
			wantErr:   keystore.ErrAliasNotFound,
		},
		{
			name:    "JCEKS keystore",
			edit:    func(_ *testing.T, c *destination.Config) { c.KeystoreFile = fixtures + "client.jceks" },
			want:    destination.ReasonKeystoreUnreadable,
			wantErr: keystore.ErrUnsupportedFormat,
		},
		{
			name: "damaged keystore",
			edit: func(t *testing.T, c *destination.Config) {
				c.KeystoreFile = filepath.Join(t.TempDir(), "broken.jks")
				require.NoError(t, os.WriteFile(c.KeystoreFile, []byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff}, 0o600))
			},
			want:    destination.ReasonKeystoreUnreadable,
			wantErr: keystore.ErrCorrupt,
		},
		{
			name:      "missing keystore file",
			edit:      func(t *testing.T, c *destination.Config) { c.KeystoreFile = filepath.Join(t.TempDir(), "absent.jks") },
			want:      destination.ReasonKeystoreUnreadable,
			wantField: "",
			wantErr:   destination.ErrFileUnreadable,
		},
		{
			name:    "empty truststore",
			edit:    func(_ *testing.T, c *destination.Config) { c.TruststoreFile = fixtures + "trust-empty.jks" },
			want:    destination.ReasonKeystoreUnreadable,
			wantErr: keystore.ErrEmptyTruststore,
		},
		{
			name:    "expired client certificate",
			edit:    func(_ *testing.T, c *destination.Config) { c.KeystoreFile = fixtures + "client-expired.jks" },
			want:    destination.ReasonCertExpired,
			wantErr: keystore.ErrExpired,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := destinationtest.NewServer(t)
			cfg := srv.Destination(t)
			tt.edit(t, cfg)
			_, err := destination.New(cfg)
			de := requireReason(t, err, tt.want)
			if tt.wantField != "" {
				assert.Equal(t, tt.wantField, de.Field)
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.NotContains(t, err.Error(), "changeit")
			assert.NotContains(t, err.Error(), "wrong-pass-123")
		})
	}
}

func TestNewRefusesNotYetValidCertificate(t *testing.T) {
	srv := destinationtest.NewServer(t)
	later := srv.CA.IssueClient(t, "future", destinationtest.ValidBetween(time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour)))
	_, err := destination.New(srv.Destination(t, destinationtest.WithIdentity(later)))
	requireReason(t, err, destination.ReasonCertExpired)
	require.ErrorIs(t, err, keystore.ErrNotYetValid)
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	_, err := destination.New(&destination.Config{URL: "ftp://partner"})
	requireReason(t, err, destination.ReasonConfigInvalid)
	fe, ok := errors.AsType[*destination.FieldError](err)
	require.True(t, ok)
	assert.Equal(t, "url", fe.Field)
}

func TestReasonOfNil(t *testing.T) {
	assert.Equal(t, destination.ReasonOK, destination.ReasonOf(nil))
	for _, r := range destination.Reasons {
		assert.NotEqual(t, "unknown reason", r.Advice(), r)
		assert.Regexp(t, `^[a-z_]+$`, string(r))
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}
