// Command bare is bench/listen.sh's baseline: the cheapest HTTP server
// that takes a notification (reads the body) and answers Boku's
// <notification-response> acknowledgement, verifying nothing. It writes
// its URL to the file given as its argument.
//
// Its answer is the same bytes as listen's: the same body and an
// X-SignedResponse header of the same length (signed once, at start, with
// the sandbox's key), so that the two servers differ only in the work,
// not in what goes over the wire.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/bokuctl/bokuctl/internal/sandbox"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/bokunotify"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bare URL_FILE")
		os.Exit(2)
	}
	ack := bokunotify.Ack(false)
	params, err := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: bokudirect.ContentType}}, Body: ack},
		[]byte(sandbox.BokuKey), sandbox.BokuMerchantID, sandbox.BokuKeyID, []string{"Content-Type"}, time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	signature := params.String()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], []byte("http://"+ln.Addr().String()+"/\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-SignedResponse", signature)
		w.Header().Set("Content-Type", bokudirect.ContentType)
		w.Write(ack)
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
