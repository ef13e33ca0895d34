package keystore_test

import (
	"crypto/tls"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

// TestMutualTLS runs real handshakes on loopback: a server with server.p12 that trusts only the
// root (trust.jks) and asks for a client certificate, and clients from every fixture format.
// It shows that TLSCertificate sends the intermediate the server needs.
func TestMutualTLS(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		opts       []keystore.Option
		version    uint16
		wantReject bool
	}{
		{name: "JKS RSA", file: "client-rsa.jks"},
		{name: "JKS RSA TLS 1.2", file: "client-rsa.jks", version: tls.VersionTLS12},
		{name: "JKS EC", file: "client-ec.jks"},
		{name: "JKS Ed25519", file: "client-ed25519.jks"},
		{name: "p12", file: "client.p12"},
		{name: "p12 with trusted entries", file: "client-trusting.p12"},
		{name: "legacy p12", file: "client-legacy.p12", version: tls.VersionTLS12},
		{name: "PEM", file: "client.crt", opts: []keystore.Option{keystore.WithKeyFile(fixture("client.key"))}},
		// Without the intermediate Go finds no certificate the server's CAs accept and sends none.
		{name: "leaf only", file: "client-noint.jks", wantReject: true},
		{name: "rogue CA", file: "rogue-client.jks", wantReject: true},
	}
	server := serverConfig(t)
	roots, err := keystore.LoadCertPool(fixture("ca.pem"), nil)
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := keystore.LoadKeyPair(fixture(tt.file), changeit(), tt.opts...)
			require.NoError(t, err)
			client := &tls.Config{
				RootCAs:      roots,
				ServerName:   "localhost",
				Certificates: []tls.Certificate{kp.TLSCertificate()},
				MaxVersion:   tt.version,
			}
			serverErr := handshake(t, server, client)
			if tt.wantReject {
				require.Error(t, serverErr)
				return
			}
			require.NoError(t, serverErr)
		})
	}
}

func serverConfig(t *testing.T) *tls.Config {
	t.Helper()
	kp, err := keystore.LoadKeyPair(fixture("server.p12"), changeit())
	require.NoError(t, err)
	clientCAs, err := keystore.LoadCertPool(fixture("trust.jks"), changeit())
	require.NoError(t, err)
	return &tls.Config{
		Certificates: []tls.Certificate{kp.TLSCertificate()},
		ClientCAs:    clientCAs,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	}
}

// handshake connects a client to a one-connection server on loopback, has the server write one
// byte that the client reads (in TLS 1.3 the client learns of a refusal only then), and returns
// the server's handshake error.
func handshake(t *testing.T, server, client *tls.Config) error {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	require.NoError(t, err)
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		if err = conn.(*tls.Conn).Handshake(); err == nil {
			_, err = conn.Write([]byte{1})
		}
		done <- err
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), client)
	require.NoError(t, err, "the client handshake checks the server chain")
	defer conn.Close()
	_, readErr := io.ReadFull(conn, make([]byte, 1))
	serverErr := <-done
	assert.Equal(t, serverErr == nil, readErr == nil, "client and server agree: client %v, server %v", readErr, serverErr)
	return serverErr
}
