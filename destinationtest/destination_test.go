package destinationtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/mtlscourier/courier/destination"
	"github.com/mtlscourier/courier/destinationtest"
)

// tlsFromConfig builds the client TLS material cfg names, reading the
// files with the libraries directly: what courier's keystore package does.
func tlsFromConfig(t *testing.T, cfg *destination.Config) *tls.Config {
	t.Helper()
	pw := string(cfg.KeystorePass.Bytes())
	roots := x509.NewCertPool()
	var cert tls.Certificate
	switch {
	case cfg.CertFile != "":
		var err error
		cert, err = tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		require.NoError(t, err)
		caPEM, err := os.ReadFile(cfg.CAFile)
		require.NoError(t, err)
		require.True(t, roots.AppendCertsFromPEM(caPEM))
	case filepath.Ext(cfg.KeystoreFile) == ".p12":
		data, err := os.ReadFile(cfg.KeystoreFile)
		require.NoError(t, err)
		key, leaf, chain, err := pkcs12.DecodeChain(data, pw)
		require.NoError(t, err)
		cert = tls.Certificate{PrivateKey: key, Certificate: [][]byte{leaf.Raw}}
		for _, c := range chain {
			cert.Certificate = append(cert.Certificate, c.Raw)
		}
		data, err = os.ReadFile(cfg.TruststoreFile)
		require.NoError(t, err)
		trusted, err := pkcs12.DecodeTrustStore(data, string(cfg.TruststorePass.Bytes()))
		require.NoError(t, err)
		for _, c := range trusted {
			roots.AddCert(c)
		}
	default:
		key, chain := jksIdentity(t, cfg.KeystoreFile, "client", []byte(pw))
		cert = tls.Certificate{PrivateKey: key}
		for _, c := range chain {
			cert.Certificate = append(cert.Certificate, c.Raw)
		}
		entry, err := loadJKS(t, cfg.TruststoreFile, cfg.TruststorePass.Bytes()).GetTrustedCertificateEntry("root")
		require.NoError(t, err)
		root, err := x509.ParseCertificate(entry.Certificate.Content)
		require.NoError(t, err)
		roots.AddCert(root)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: roots}
}

func TestServerDestination(t *testing.T) {
	s := destinationtest.NewServer(t)
	expired := s.CA.IssueClient(t, "expired-client",
		destinationtest.ValidBetween(time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)))
	tests := []struct {
		name        string
		opts        []destinationtest.DestinationOption
		wantFiles   []string // base names in Dir
		wantURL     string
		wantSubject string // "" means the request is refused
	}{
		{name: "JKS by default", wantFiles: []string{"client.jks", "truststore.jks"},
			wantURL: s.URL, wantSubject: destinationtest.ClientCommonName},
		{name: "PKCS12", opts: []destinationtest.DestinationOption{destinationtest.WithPKCS12()},
			wantFiles: []string{"client.p12", "truststore.p12"}, wantURL: s.URL, wantSubject: destinationtest.ClientCommonName},
		{name: "PEM", opts: []destinationtest.DestinationOption{destinationtest.WithPEM()},
			wantFiles: []string{"client.crt", "client.key", "ca.crt"}, wantURL: s.URL, wantSubject: destinationtest.ClientCommonName},
		{name: "path", opts: []destinationtest.DestinationOption{destinationtest.WithPath("in")},
			wantFiles: []string{"client.jks", "truststore.jks"}, wantURL: s.URL + "/in", wantSubject: destinationtest.ClientCommonName},
		{name: "another identity", opts: []destinationtest.DestinationOption{destinationtest.WithIdentity(s.CA.IssueServer(t))},
			wantFiles: []string{"client.jks", "truststore.jks"}, wantURL: s.URL},
		{name: "expired identity", opts: []destinationtest.DestinationOption{destinationtest.WithIdentity(expired)},
			wantFiles: []string{"client.jks", "truststore.jks"}, wantURL: s.URL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := s.Destination(t, tt.opts...)
			assert.Equal(t, tt.wantURL, cfg.URL)
			assert.Equal(t, http.MethodPost, cfg.Method)
			for _, name := range tt.wantFiles {
				assert.FileExists(t, filepath.Join(cfg.Dir, name))
			}
			for _, path := range []string{cfg.KeystoreFile, cfg.TruststoreFile, cfg.CertFile, cfg.KeyFile, cfg.CAFile} {
				if path != "" {
					assert.True(t, filepath.IsAbs(path), path)
					assert.Equal(t, cfg.Dir, filepath.Dir(path))
				}
			}
			if cfg.KeystoreFile != "" {
				assert.Equal(t, []byte(destinationtest.DefaultPassword), cfg.KeystorePass.Bytes())
				assert.Equal(t, []byte(destinationtest.DefaultPassword), cfg.TruststorePass.Bytes())
			}

			before := len(s.Requests())
			c := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsFromConfig(t, cfg)}}
			resp, err := c.Post(cfg.URL, "text/plain", nil)
			if tt.wantSubject == "" {
				require.Error(t, err)
				assert.Len(t, s.Requests(), before)
				return
			}
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			reqs := s.Requests()
			require.Len(t, reqs, before+1)
			assert.Equal(t, tt.wantSubject, reqs[before].ClientSubject)
		})
	}
}

func TestServerClientIdentityIsMemoised(t *testing.T) {
	s := destinationtest.NewServer(t)
	id := s.ClientIdentity(t)
	assert.Same(t, id, s.ClientIdentity(t))
	assert.Equal(t, destinationtest.ClientCommonName, id.Leaf().Subject.CommonName)
	require.NoError(t, id.Leaf().CheckSignatureFrom(s.CA.Intermediate()))
}

func TestServerDestinationInvalidOptions(t *testing.T) {
	s := destinationtest.NewServer(t)
	tests := []struct {
		name    string
		opt     destinationtest.DestinationOption
		wantErr error
	}{
		{name: "empty identity", opt: destinationtest.WithIdentity(&destinationtest.Identity{}), wantErr: destinationtest.ErrInvalidOption},
		{name: "nil", opt: nil, wantErr: destinationtest.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := destinationtest.Run(func(tb destinationtest.TB) error {
				s.Destination(tb, tt.opt)
				return nil
			})
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestCADestination(t *testing.T) {
	ca := destinationtest.NewCA(t)
	cfg := ca.Destination(t, "https://partner.example", destinationtest.WithPath("/in"), destinationtest.WithPKCS12())
	assert.Equal(t, "https://partner.example/in", cfg.URL)
	tc := tlsFromConfig(t, cfg)
	require.Len(t, tc.Certificates, 1)
	leaf, err := x509.ParseCertificate(tc.Certificates[0].Certificate[0])
	require.NoError(t, err)
	assert.Equal(t, destinationtest.ClientCommonName, leaf.Subject.CommonName)
	require.NoError(t, leaf.CheckSignatureFrom(ca.Intermediate()))
}
