package keystore

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
)

// Format is a keystore file format.
type Format string

// The formats Load reads. FormatPEM also covers DER-encoded certificates (a .cer or .der file):
// they are read as a truststore, like a PEM file that holds only certificates.
const (
	FormatJKS    Format = "jks"
	FormatPKCS12 Format = "pkcs12"
	FormatPEM    Format = "pem"
)

const (
	magicJKS   = 0xFEEDFEED
	magicJCEKS = 0xCECECECE
)

// ParseFormat reads a keystore type the way Java and its users write it: "JKS", "PKCS12",
// "PKCS#12", "p12", "pfx" or "PEM", in any case. The empty string returns "", meaning: detect
// the format from the file's bytes.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "jks":
		return FormatJKS, nil
	case "pkcs12", "pkcs#12", "p12", "pfx":
		return FormatPKCS12, nil
	case "pem":
		return FormatPEM, nil
	case "jceks":
		return "", fmt.Errorf("keystore: %w", jceksError(""))
	}
	return "", fmt.Errorf("keystore: %w: keystore type %q: use JKS, PKCS12 or PEM", ErrUnsupportedFormat, s)
}

// DetectFormat tells the format from the data, never from a file name: JKS by its magic number,
// PKCS#12 by its DER PFX header (SEQUENCE { INTEGER 3, ... }), PEM by a "-----BEGIN" line.
// A DER certificate is reported as FormatPEM (see the Format constants). A JCEKS keystore is an
// ErrUnsupportedFormat error that says how to convert it.
func DetectFormat(data []byte) (Format, error) {
	f, err := detectFormat(data, "")
	return f, prefixed("", err)
}

func detectFormat(data []byte, path string) (Format, error) {
	switch {
	case len(data) == 0:
		return "", corruptf("the file is empty")
	case len(data) >= 4 && binary.BigEndian.Uint32(data) == magicJKS:
		return FormatJKS, nil
	case len(data) >= 4 && binary.BigEndian.Uint32(data) == magicJCEKS:
		return "", jceksError(path)
	case isPFX(data):
		return FormatPKCS12, nil
	case isDERCertificate(data):
		return FormatPEM, nil
	case bytes.Contains(data, []byte("-----BEGIN ")):
		return FormatPEM, nil
	case isBase64Keystore(data):
		return "", fmt.Errorf("%w: the file is base64 text; decode it first (base64 -d) and load the result",
			ErrUnsupportedFormat)
	}
	return "", fmt.Errorf("%w: not a JKS, PKCS#12 or PEM keystore (it starts with % x)",
		ErrUnsupportedFormat, data[:min(len(data), 4)])
}

// jceksError explains how to turn a JCEKS keystore into something this package reads.
func jceksError(path string) error {
	if path == "" {
		path = "KEYSTORE"
	}
	return fmt.Errorf("%w: JCEKS keystores are not supported; convert it with: keytool -importkeystore "+
		"-srckeystore %s -srcstoretype JCEKS -destkeystore %s.p12 -deststoretype PKCS12",
		ErrUnsupportedFormat, path, path)
}

// derContent returns the bytes after the first DER header of data (tolerating truncation, so
// that a cut PKCS#12 file is still recognised and reported as corrupt), or nil.
func derContent(data []byte) []byte {
	if len(data) < 2 || data[0] != 0x30 {
		return nil
	}
	n := 1
	if data[1]&0x80 != 0 {
		n += int(data[1] & 0x7F)
	}
	if n > 5 || len(data) < 1+n {
		return nil
	}
	return data[1+n:]
}

// isPFX reports whether data starts like a PKCS#12 PFX: SEQUENCE { INTEGER 3, ... }.
func isPFX(data []byte) bool {
	c := derContent(data)
	return len(c) >= 3 && c[0] == 0x02 && c[1] == 0x01 && c[2] == 0x03
}

// isDERCertificate reports whether data starts like a certificate: SEQUENCE { SEQUENCE ... }.
func isDERCertificate(data []byte) bool {
	c := derContent(data)
	return len(c) >= 1 && c[0] == 0x30
}

// isBase64Keystore reports whether data is a base64-encoded JKS or PKCS#12 file, a common way
// for platforms to hand keystores out.
func isBase64Keystore(data []byte) bool {
	text := bytes.Join(bytes.Fields(data), nil)
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(raw, text)
	if err != nil || n < 4 {
		return false
	}
	raw = raw[:n]
	return binary.BigEndian.Uint32(raw) == magicJKS || isPFX(raw)
}
