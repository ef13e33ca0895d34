package keystore_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/mtlscourier/courier/keystore"
)

func ExampleLoadKeyPair() {
	kp, err := keystore.LoadKeyPair("../testdata/keytool/client-rsa.jks", []byte("changeit"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(kp.Alias, kp.Leaf().Subject)
	for _, c := range kp.Chain[1:] {
		fmt.Println("  issued by", c.Subject)
	}
	// Output:
	// client CN=courier-client
	//   issued by CN=courier-test-intermediate
	//   issued by CN=courier-test-root
}

func ExampleLoadKeyPair_pem() {
	kp, err := keystore.LoadKeyPair("../testdata/keytool/client.crt", nil,
		keystore.WithKeyFile("../testdata/keytool/client.key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(kp.Leaf().Subject, len(kp.TLSCertificate().Certificate))
	// Output: CN=courier-client 2
}

func ExampleLoadCertPool() {
	_, err := keystore.LoadCertPool("../testdata/keytool/trust-empty.jks", []byte("changeit"))
	fmt.Println(errors.Is(err, keystore.ErrEmptyTruststore))
	fmt.Println(err)
	// Output:
	// true
	// keystore: open ../testdata/keytool/trust-empty.jks: empty truststore: no certificates to trust; add the partner's CA with keytool -importcert
}

func ExampleStore_KeyPair() {
	s, err := keystore.Load("../testdata/keytool/client-multi.jks", []byte("changeit"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = s.KeyPair("", nil)
	fmt.Println(err)
	kp, err := s.KeyPair("BETA", nil) // keytool lower-cases aliases
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(kp.Alias, kp.Leaf().Subject)
	// Output:
	// keystore: open ../testdata/keytool/client-multi.jks: several key entries: alpha (PrivateKeyEntry), beta (PrivateKeyEntry); choose one with the key alias
	// beta CN=courier-client-beta
}

func ExampleKeyPair_CheckValidity() {
	kp, err := keystore.LoadKeyPair("../testdata/keytool/client-expired.jks", []byte("changeit"))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = kp.CheckValidity(time.Now())
	var ve *keystore.ValidityError
	fmt.Println(errors.Is(err, keystore.ErrExpired), errors.As(err, &ve) && ve.NotAfter.Before(time.Now()))
	// Output: true true
}

func ExampleParseFormat() {
	for _, s := range []string{"JKS", "PKCS#12", "pfx", "PEM", ""} {
		f, _ := keystore.ParseFormat(s)
		fmt.Printf("%q ", f)
	}
	// Output: "jks" "pkcs12" "pkcs12" "pem" ""
}
