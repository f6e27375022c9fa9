// Command bare is bench/listen.sh's baseline: the cheapest HTTP server
// that takes a notification (reads the body) and answers Boku's
// <notification-response> acknowledgement, verifying nothing. It writes
// its URL to the file given as its argument.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

const ack = `<notification-response><result status="OK"><reason-code>0</reason-code><message>Ack</message><retriable>false</retriable></result></notification-response>`

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bare URL_FILE")
		os.Exit(2)
	}
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
		w.Header().Set("Content-Type", "text/xml;charset=utf-8")
		io.WriteString(w, ack)
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
