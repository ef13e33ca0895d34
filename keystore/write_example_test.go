package keystore_test

import (
	"fmt"

	"github.com/mtlscourier/courier/keystore"
)

func ExampleBuilder() {
	kp, err := keystore.LoadKeyPair("../testdata/keytool/client.p12", []byte("changeit"))
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := keystore.NewBuilder(keystore.FormatJKS)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := b.AddKeyPair("Partner-Client", kp, nil); err != nil { // the key password is the store password
		fmt.Println(err)
		return
	}
	root := kp.Chain[len(kp.Chain)-1]
	if err := b.AddTrusted(b.UniqueAlias(root.Subject.CommonName), root); err != nil {
		fmt.Println(err)
		return
	}
	data, err := b.Encode([]byte("changeit"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// keystore.WriteFile("client.jks", data, keystore.CreateOnly) writes it atomically, mode 0600.
	s, err := keystore.Parse(data, []byte("changeit"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range s.Entries {
		fmt.Println(e.Alias, e.Kind, len(e.Chain))
	}
	// Output:
	// courier-test-root trustedCertEntry 1
	// partner-client PrivateKeyEntry 3
}
