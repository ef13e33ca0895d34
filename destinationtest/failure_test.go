package destinationtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// The checks below hold for the simulated errors (TestTransportFailures)
// and for the real ones (TestSimulatedErrorsMatchRealOnes), which is the
// point of Transport.FailNext.

func isServerUntrusted(t *testing.T, err error) {
	t.Helper()
	var verr *tls.CertificateVerificationError
	require.ErrorAs(t, err, &verr)
	assert.NotEmpty(t, verr.UnverifiedCertificates)
	var unknown x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknown)
	assert.NotNil(t, unknown.Cert)
}

func isHostnameMismatch(host string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var verr *tls.CertificateVerificationError
		require.ErrorAs(t, err, &verr)
		var hostErr x509.HostnameError
		require.ErrorAs(t, err, &hostErr)
		assert.Equal(t, host, hostErr.Host)
		assert.NotNil(t, hostErr.Certificate)
	}
}

// rejectionAlerts are the alerts servers send when they refuse a client
// certificate. Go sends handshake_failure (40, TLS 1.2) or
// certificate_required (116, TLS 1.3) for none, unknown_ca (48) for one
// from another CA, certificate_expired (45) or bad_certificate (42); JSSE
// sends bad_certificate or certificate_unknown (46).
var rejectionAlerts = []tls.AlertError{40, 42, 45, 46, 48, 116}

func isClientCertRejected(t *testing.T, err error) {
	t.Helper()
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, "remote error", opErr.Op)
	// crypto/tls's own alert type is unexported; its text is the contract.
	var texts []string
	for _, a := range rejectionAlerts {
		texts = append(texts, a.Error())
	}
	assert.Contains(t, texts, opErr.Err.Error())
}

func isConnectionRefused(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, "dial", opErr.Op)
	var sysErr *os.SyscallError
	require.ErrorAs(t, err, &sysErr)
	assert.Equal(t, "connect", sysErr.Syscall)
}

func isTimeout(t *testing.T, err error) {
	t.Helper()
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout())
}

// TestSimulatedErrorsMatchRealOnes provokes each failure on a real
// connection and checks it as TestTransportFailures checks the simulated one.
func TestSimulatedErrorsMatchRealOnes(t *testing.T) {
	ca := destinationtest.NewCA(t)
	other := destinationtest.NewCA(t)
	closed := destinationtest.NewServer(t, destinationtest.WithCA(ca))
	closed.Close()
	timeoutServer := destinationtest.NewServer(t, destinationtest.WithCA(ca))
	timeoutServer.Delay(time.Minute) // Close ends it

	tests := []struct {
		name   string
		reason destination.Reason
		server *destinationtest.Server
		client clientOptions
		check  func(t *testing.T, err error)
	}{
		{name: "server untrusted", reason: destination.ReasonServerUntrusted,
			server: destinationtest.NewServer(t, destinationtest.WithCA(ca), destinationtest.WithServerIdentity(other.IssueServer(t))),
			check:  isServerUntrusted},
		{name: "hostname mismatch", reason: destination.ReasonHostnameMismatch,
			server: destinationtest.NewServer(t, destinationtest.WithCA(ca)),
			client: clientOptions{serverName: "partner.example"},
			check:  isHostnameMismatch("partner.example")},
		{name: "client cert rejected", reason: destination.ReasonClientCertRejected,
			server: destinationtest.NewServer(t, destinationtest.WithCA(ca), destinationtest.WithMaxTLSVersion(tls.VersionTLS12)),
			client: clientOptions{identity: other.IssueClient(t, "stranger")},
			check:  isClientCertRejected},
		{name: "connection failed", reason: destination.ReasonConnectionFailed, server: closed, check: isConnectionRefused},
		{name: "timeout", reason: destination.ReasonTimeout, server: timeoutServer,
			client: clientOptions{timeout: 100 * time.Millisecond}, check: isTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.client.identity == nil {
				tt.client.identity = ca.IssueClient(t, "courier")
			}
			_, _, err := get(t, newClient(t, tt.server, tt.client), tt.server.URL)
			tt.check(t, err)

			tr := destinationtest.NewTransport(nil)
			require.NoError(t, tr.FailNext(1, tt.reason))
			req, err := http.NewRequest(http.MethodGet, "https://partner.example/", nil)
			require.NoError(t, err)
			_, simulated := tr.RoundTrip(req)
			tt.check(t, simulated)
			var urlErr *url.Error
			assert.False(t, errors.As(simulated, &urlErr), "RoundTrip returns the bare error; http.Client wraps it")
		})
	}
}
