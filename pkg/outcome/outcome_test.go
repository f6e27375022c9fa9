package outcome

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestUnknown(t *testing.T) {
	reset := errors.New("connection reset by peer")
	verify := &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
	tests := []struct {
		name              string
		written, mutation bool
		err               error
		want              bool
	}{
		{"written mutation", true, true, reset, true},
		{"written mutation, wrapped", true, true, &url.Error{Op: "Post", URL: "https://x", Err: fmt.Errorf("read: %w", reset)}, true},
		{"written mutation, EOF", true, true, io.ErrUnexpectedEOF, true},
		{"written mutation, deadline", true, true, context.DeadlineExceeded, true},
		{"not written mutation", false, true, reset, false},
		{"written read-only", true, false, reset, false},
		{"not written read-only", false, false, reset, false},
		{"certificate rejected", true, true, verify, false},
		{"certificate rejected, wrapped", true, true, &url.Error{Op: "Post", URL: "https://x", Err: fmt.Errorf("dial: %w", verify)}, false},
		{"certificate rejected, not written", false, true, verify, false},
		// A bad TLS record can arrive after the request went out.
		{"record header error", true, true, tls.RecordHeaderError{Msg: "bad record"}, true},
		// Only the handshake's wrapper proves nothing was sent.
		{"bare x509 error", true, true, x509.UnknownAuthorityError{}, true},
	}
	for _, tt := range tests {
		if got := Unknown(tt.written, tt.mutation, tt.err); got != tt.want {
			t.Errorf("%s: Unknown(%v, %v, %v) = %v, want %v", tt.name, tt.written, tt.mutation, tt.err, got, tt.want)
		}
	}
}

// post sends a small POST with a tracked context on a fresh connection.
func post(t *testing.T, ctx context.Context, url string) (*Sent, error) {
	t.Helper()
	ctx, sent := Track(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"operationId":"op-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return sent, err
}

func TestWrittenThenConnectionClosed(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the whole request arrived
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close() // and no answer goes back
	}))
	defer server.Close()
	sent, err := post(t, context.Background(), server.URL)
	if err == nil {
		t.Fatal("no error from a closed connection")
	}
	if !sent.Written() {
		t.Fatalf("Written() = false after the server read the request (%v)", err)
	}
	if !Unknown(sent.Written(), true, err) {
		t.Errorf("a mutation written and then cut off must be unknown (%v)", err)
	}
}

func TestNotWrittenConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	sent, err := post(t, context.Background(), "http://"+addr+"/")
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	if sent.Written() {
		t.Fatalf("Written() = true for a refused connection (%v)", err)
	}
	if Unknown(sent.Written(), true, err) {
		t.Errorf("a refused mutation must not be unknown (%v)", err)
	}
}

func TestWrittenAndAnswered(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "{}")
	}))
	defer server.Close()
	sent, err := post(t, context.Background(), server.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !sent.Written() {
		t.Fatal("Written() = false for an answered request")
	}
}

// Track must not displace a client trace the caller already installed.
func TestTrackKeepsCallerTrace(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer server.Close()
	var callerSaw atomic.Bool
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { callerSaw.Store(true) },
	})
	sent, err := post(t, ctx, server.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !callerSaw.Load() || !sent.Written() {
		t.Fatalf("caller trace called %v, Written() %v", callerSaw.Load(), sent.Written())
	}
}
