// Package outcome holds the one rule the wire clients (bokudirect,
// acquiring) use to classify an HTTP call that failed without an answer:
// either the server cannot have acted on it ("unavailable", safe to retry
// later) or it may have ("unknown outcome", check before retrying).
//
// A client tracks whether its request was written with Track, and on a
// transport failure asks Unknown:
//
//	ctx, sent := outcome.Track(ctx)
//	resp, err := client.Do(req.WithContext(ctx))
//	if err != nil && outcome.Unknown(sent.Written(), mutation, err) {
//		// *UnknownOutcomeError
//	}
//
// A failure while reading the body of a response that did arrive passes
// written=true: the request reached the server, only the answer was lost.
//
// The package only decides; each client keeps its own error types.
package outcome

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http/httptrace"
	"sync/atomic"
)

// Sent reports whether a tracked request was written. It is safe for
// concurrent use: net/http calls the trace hook from its own goroutine.
type Sent struct {
	written atomic.Bool
}

// Track returns a context that records, in the returned *Sent, whether a
// request made with it was fully written to the connection. Any client
// trace already in ctx keeps being called.
//
// Each write attempt overwrites the record, so Written describes the last
// attempt that got as far as writing; an attempt that failed before
// writing (a refused connection, a failed TLS handshake) leaves it as it
// was. For one exchange without redirects, false means the server has
// not seen the whole request.
func Track(ctx context.Context) (context.Context, *Sent) {
	s := new(Sent)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { s.written.Store(info.Err == nil) },
	}), s
}

// Written reports whether the request was fully written (see Track).
func (s *Sent) Written() bool { return s.written.Load() }

// Unknown reports whether a call that failed with err, without a usable
// answer, has an unknown outcome: it mutates (a charge, a capture, a
// refund...), its request was written, and err does not prove that the
// server never received it. Read-only calls and requests that were never
// written are merely unavailable.
//
// Errors that prove nothing was processed, matched anywhere in err's
// chain (errors.As):
//
//   - *tls.CertificateVerificationError: the server's certificate was
//     rejected during the TLS handshake, before the client sends any
//     request bytes on that connection. (crypto/tls wraps every x509
//     verification failure — unknown authority, wrong host name, expiry —
//     in this type, so x509 errors need no entry of their own.) net/http
//     handshakes before it writes, so within one exchange written is
//     already false; the entry matters when written was set by an earlier
//     hop of the same Do, as when a 307/308 redirect resends the request
//     to a host whose certificate is then rejected: the resent request
//     never left, and the first hop answered with a redirect rather than
//     a result.
//
// Deliberately not excluded: tls.RecordHeaderError. It is raised whenever
// a malformed TLS record arrives, which can happen after the request was
// written on an established connection, so it proves nothing.
func Unknown(written, mutation bool, err error) bool {
	if !written || !mutation {
		return false
	}
	var verify *tls.CertificateVerificationError
	return !errors.As(err, &verify)
}
