package keystore_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlscourier/courier/keystore"
)

// FuzzParse feeds Parse anything, seeded with every fixture: it must never panic, and every error
// must start with the package name. An empty password skips the JKS integrity check, which lets
// mutated files reach keystore-go's entry and key decoding.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "changeit")
		f.Add(data, "")
	}
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		s, err := keystore.Parse(data, []byte(password))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "keystore: ") {
				t.Fatalf("error without the package name: %v", err)
			}
			return
		}
		use(t, s)
	})
}

// use exercises everything a store offers.
func use(t *testing.T, s *keystore.Store) {
	_ = s.Certificates()
	_, _ = s.CertPool()
	for _, alias := range append(s.Aliases(), "") {
		kp, err := s.KeyPair(alias, nil)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "keystore: ") {
				t.Fatalf("error without the package name: %v", err)
			}
			continue
		}
		_ = kp.TLSCertificate()
		_ = kp.CheckValidity(time.Now())
		_, _ = s.KeyPair(alias, []byte("changeit"))
	}
}
