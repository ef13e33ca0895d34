package check_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mtlscourier/courier/check"
	"github.com/mtlscourier/courier/destinationtest"
)

// A client certificate stored without its intermediate CA, the classic
// mistake: the chain check warns, the server refuses us, and the refusal
// names the missing intermediate as the likely cause.
func ExampleRun() {
	_ = destinationtest.Run(func(tb destinationtest.TB) error {
		now := time.Now()
		year := destinationtest.ValidBetween(now.Add(-time.Hour), now.Add(365*24*time.Hour))
		ca := destinationtest.NewCA(tb)
		srv := destinationtest.NewServer(tb, destinationtest.WithCA(ca),
			destinationtest.WithServerIdentity(ca.IssueServerWith(tb, nil, year)))
		leafOnly := ca.IssueClient(tb, "partner-a", year).LeafOnly()
		cfg := srv.Destination(tb, destinationtest.WithIdentity(leafOnly))

		rep := check.Run(context.Background(), cfg)
		for _, c := range rep.Checks {
			if c.Status != check.Pass {
				fmt.Println(c.Status, c.Name+":", c.Message)
			}
		}
		failed, _ := rep.FirstFailure()
		fmt.Println(failed.Detail[1])
		fmt.Println("reason:", rep.Reason)
		return nil
	})
	// Output:
	// warn chain: the chain stops at 'CN=partner-a, O=courier': its issuer 'CN=courier test intermediate, O=courier' (an intermediate CA) is not in the keystore
	// warn certificate-request: the server accepts client certificates from 1 CA, and none of them issued our chain: the server will likely refuse our certificate
	// fail client-auth: the server refused our certificate 'CN=partner-a, O=courier'
	// likely cause: the intermediate 'CN=courier test intermediate, O=courier' that issued 'CN=partner-a, O=courier' is missing from our chain (see the chain check): import it onto the key entry
	// reason: client_cert_rejected
}
