// Package bokuspec is a fake of Boku Direct Payments API 3.0 as Boku published
// it: the OpenAPI spec "Boku Direct – Local Payment Methods" (MIT, 2021–22),
// its test-environment (MTE) simulator guide and its Postman collection,
// summarised in the project's reference note (shared/reference/boku.md,
// second edition). It is written from those sources alone, independently
// of bokuctl's Boku client, so that a client that drifts from Boku's
// published contract fails against it.
//
// # Routing
//
// The Server serves /{family}/3.0/{call} ("optin" or "billing" family,
// reference §1) and /{country}/{family}/3.0/{call} (the sandbox mounts it
// under /boku with StripPrefix, so base URLs end in /boku/{country}); any
// other path is 404, as the real API answers a path it does not serve.
// The country of the API host (Boku's hosts are {cc}-api4.boku.com) is
// the two-letter first segment when there is one, otherwise from a Host
// of the form {cc}-api4…; when neither names a country the check below is
// skipped. A <country> element that differs from that country is
// an invalid request (43, field "country"; inferred, the spec routes by
// host but does not say how a mismatch is answered).
//
// Calls (all POST, signed XML; see calls.go for what each checks):
//
//	optin/3.0/optin, validate-optin, confirm-optin, cancel-optin   from the spec
//	optin/3.0/query-optin                                          shape inferred (public by name only)
//	billing/3.0/charge, query-charge, reverse-charge,
//	  begin-single-charge, refund-charge, query-refund              from the spec
//
//	billing/3.0/forex, fund-check                                  not in the spec: the sandbox's documented shapes (extras.go)
//
// # Authentication and signing
//
// The Authorization header is verified with pkg/sign (scheme
// 2/HMAC_SHA256(H+SHA256(E))). An unknown partner-id or key-id, a bad
// signature or a timestamp outside Skew is answered 401 text/plain,
// unsigned (spec: every call's 401). Requests need not sign any header
// (reference §2). Inferred: a <merchant-id> other than the signing
// partner-id is also answered 401. Every 200 carries X-SignedResponse,
// signed with the merchant's key over Content-Type and the body.
//
// # Results
//
// Every business outcome is HTTP 200 with <result status="OK|ERROR">,
// reason-code, message, retriable and, where the spec has them,
// retry-delay and invalid-request-fields. A required element missing or
// malformed is reason 43 with each field named (camel-case path, nested
// with "."). A merchant-request-id re-used for a different request is 124;
// re-sent with the same content it gets the original answer (for charges
// and refunds: their current status, 107 for a failed charge, 130 for a
// reversed one).
//
// # Test behaviour
//
// The fake is deterministic; it never sleeps. Behaviour is set the way
// Boku's MTE sets it, through the simulator endpoints (served under any
// path containing /merchant-api/, signed like the API):
//
//	PUT …/merchant-api/{merchant-id}/hosted-optin/{merchant-request-id}            before the optin
//	PUT …/merchant-api/{merchant-id}[-mte]/hosted-optin/optin-id/{optin-id}/redirect  the consumer's return
//	PUT …/merchant-api/{merchant-id}-mte/hosted-optin/optin-id/{optin-id}/charge-behavior
//	PUT …/merchant-api/{merchant-id}-mte/hosted-optin/optin-id/{optin-id}/refund-behavior
//
// (the "-mte" suffix and the "hosted-optin" segment are optional: Boku's
// guide writes the URLs both ways). A charge or refund behaviour's
// error-code is the final reason code (0 success, 23 in progress forever,
// anything else a failure with that code); its latency is compared with
// the request's <timeout after> (0 when absent): a latency longer than the
// timeout answers 23 in-progress, and the final state is reached once the
// Server's clock passes the latency (seen by query-charge, query-refund and
// re-sends). Without a behaviour, charges and refunds succeed at once
// (inferred default).
//
// The consumer's step at the hosted opt-in page is simulated by the
// redirect endpoint above, by ApproveOptin, or by a browser: optin-url
// (…/hosted/optin/{optin-id}) shows a form whose submission returns the
// consumer to the forward-url. begin-single-charge's redirect-url
// (…/hosted/charge/{charge-id}) works the same way, and CompleteSingleCharge
// is its harness form. Chargeback records an issuer-initiated refund
// (type chargeback). FailNext makes the next API requests answer HTTP 503,
// as an unavailable host would.
//
// # Sandbox extras
//
// What `bokuctl sandbox` documents (docs/sandbox.md) and Boku does not:
// the magic values of magic.go (payment method sandbox-barred; charge
// amounts 6.66, over 999.99, 7.77, 5.03, 13.13, 14.14, 4.44), forex and
// fund-check (extras.go), and the issuer page /consent/{id} at the root of
// the host (optin-url and redirect-url point there; a GET approves an
// opt-in or authorizes a single charge and redirects 302 to the
// forward-url). Ids are the sandbox's (oi-000001, ch-000002, rf-…, rv-…,
// one counter), network-id is "{country}-sandbox" and answers are
// text/xml;charset=utf-8; a request of another Content-Type is an unsigned
// 400 with reason 43.
//
// # Inferred choices
//
// Where the spec is silent the fake chooses, and says so at the code:
//   - country: <country> must match the host's country (43 otherwise);
//     a charge (no <country> element) finds only opt-ins of the host's
//     country (125 otherwise); queries see only the host country's records.
//   - amounts: decimals beyond the currency's exponent are accepted only
//     when zero ("548.00" JPY); other malformed amounts are 43; responses
//     write at least two decimals ("548.00" JPY, as every spec example does)
//     or the exponent's ("1.250" KWD).
//   - optin-type other than hosted: 86 (that code's own example).
//   - opt-in transitions: validate before the consumer returned is 136 and
//     is not recorded (re-send it later with the same merchant-request-id);
//     validate of a pending-confirm opt-in is OK, of an active or closed one
//     137; confirm of an active opt-in is OK, of a pending-validate or
//     closed one 137; cancel of a closed opt-in is OK.
//   - idempotency: merchant-request-ids are one namespace per merchant for
//     all calls; "same content" compares the call's meaningful elements
//     after parsing (amount "548" equals "548.00"; timeout, skip-retry,
//     notification and unknown elements do not count). Opt-in calls record
//     their answer, errors included, except 43, 125 and 136; charge,
//     begin-single-charge and refund-charge record only requests that
//     created a charge or refund (a request refused with 125, 126, 130,
//     133, 135, 145 or 146 can be re-sent with the same id).
//   - begin-single-charge answers 23 in-progress until the consumer acts
//     (the spec's example shows success at once).
//   - reverse-charge: a second reversal answers the first; a
//     merchant-request-id of a non-charge request is 124.
//   - refund-charge: a <currency> other than the charge's is 43; refunds in
//     progress hold their amount (so 145/146 count them).
//   - query-charge / query-refund need at least one criterion (43).
//   - query-optin: the request and response shapes (public by name only).
//   - ids, network-id, Content-Type (the sandbox's, above), retriable (true only for
//     23, 15, 17, 902), messages without a spec example, the default
//     consumer details (the spec's example values), charges and refunds
//     succeeding when no simulator behaviour is set.
//   - simulator answers carry no body and no signature; it is 404 for an
//     unknown opt-in, 400 for a bad body, 401 for another merchant's URL.
//
// Notifications (refund-notification, for refunds that ask and for every
// chargeback, and charge-notification) are sent as notify.go describes.
// The state survives a restart through persist.go (for `sandbox serve
// --state`); SetFault, ChargeCount, RefundCount and HasCharge are test
// hooks (magic.go).
//
// Outside this fake: the simulator's latency on hosted opt-in redirects.
package bokuspec

import (
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bokuctl/bokuctl/pkg/sign"
)

// Merchant is an account the fake knows: its merchant-id (the signing
// partner-id), key id and key.
type Merchant struct {
	ID    string
	KeyID string
	Key   []byte
}

// Server is the fake. Create it with New; it is an http.Handler.
type Server struct {
	// Now is the fake's clock (signature timestamps, timestamps in
	// responses, the one-hour reversal window, latencies); tests may
	// replace it before serving.
	Now func() time.Time
	// Skew is the allowed signature timestamp difference.
	Skew time.Duration
	// RetryBase scales Boku's notification retry schedule (notify.go);
	// tests shorten it.
	RetryBase time.Duration

	mu        sync.Mutex
	merchants map[string]Merchant
	accounts  map[string]*account
	seq       int
	requests  int
	failNext  int
	// faults are outages set by tests (SetFault), by call.
	faults     map[string]Fault
	callbacks  map[string]string // merchant id → notification URL
	deliveries []Delivery
	// dirty, once TrackChanges is called, notes what requests changed
	// (for `sandbox serve --state`'s log).
	dirty *dirty
}

// New returns a fake that knows the given merchants.
func New(merchants ...Merchant) *Server {
	s := &Server{Now: time.Now, Skew: sign.DefaultSkew, RetryBase: DefaultRetryBase, merchants: map[string]Merchant{}, accounts: map[string]*account{}}
	for _, m := range merchants {
		s.merchants[m.ID] = m
		a := newAccount()
		a.merchantID = m.ID
		s.accounts[m.ID] = a
	}
	return s
}

// RequestCount is the number of API and simulator requests received
// (including rejected ones), for tests that prove a command sent nothing.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// FailNext makes the next n API requests answer HTTP 503 (text/plain,
// unsigned) without being processed.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// ServeHTTP routes API calls, simulator requests and the hosted consumer
// pages (see the package documentation).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for i, seg := range segs {
		if seg == "merchant-api" {
			s.serveSimulator(w, r, segs[i+1:])
			return
		}
	}
	// Only the paths Boku serves are answered; anything else is 404, as
	// the real API answers a path it does not serve. The API is
	// /{family}/3.0/{call} at the root of a {cc}-api4 host, or
	// /{country}/{family}/3.0/{call} (the sandbox's country prefix); the
	// issuer pages are /consent/{id} and …/hosted/{optin|charge}/{id}
	// under at most a country prefix.
	n := len(segs)
	prefixed := n >= 1 && len(segs[0]) == 2
	if (n == 3 || n == 4 && prefixed) && segs[n-3] == "hosted" && (segs[n-2] == "optin" || segs[n-2] == "charge") {
		s.serveHosted(w, r, segs[n-2], segs[n-1])
		return
	}
	if n == 2 && segs[0] == "consent" {
		s.serveConsent(w, r, segs[1])
		return
	}
	if !(n == 3 || n == 4 && prefixed) || segs[n-2] != "3.0" || calls[segs[n-3]][segs[n-1]] == nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	family, call := segs[n-3], segs[n-1]
	hostCountry := ""
	if n == 4 {
		hostCountry = strings.ToUpper(segs[0])
	} else if cc, _, ok := strings.Cut(r.Host, "-api4"); ok && len(cc) == 2 {
		hostCountry = strings.ToUpper(cc)
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	s.requests++
	if s.failNext > 0 {
		s.failNext--
		s.mu.Unlock()
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	s.mu.Unlock()

	m, body, ok := s.readSigned(w, r, 1<<20)
	if !ok {
		return
	}
	if ct := r.Header.Get("Content-Type"); !xmlMediaType(ct) {
		// The sandbox's documented check (inferred: the spec's request
		// bodies are application/xml, Boku's signing examples send
		// text/xml, and the spec does not say how another type is
		// answered): an unsigned 400 with reason 43.
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusBadRequest)
		r := res(rcInvalidRequest)
		r.Message = "Content-Type must be application/xml or text/xml, got " + ct
		w.Write(encode(&errorResponse{XMLName: xml.Name{Local: call + "-response"}, Result: r}))
		return
	}
	s.mu.Lock()
	fault := s.faults[call]
	switch fault {
	case FaultUnavailable:
		// What an outage in front of Boku looks like: nothing processed.
		s.mu.Unlock()
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	case FaultDrop:
		// The request is lost on its way: nothing processed, no answer.
		s.mu.Unlock()
		dropConnection(w)
		return
	}
	x := &exchange{s: s, r: r, m: m, acct: s.accounts[m.ID], now: s.Now().UTC(), call: call, hostCountry: hostCountry}
	resp, status := func() ([]byte, int) {
		defer s.mu.Unlock() // also if the call panics
		return x.handle(body, calls[family][call])
	}()
	if status == http.StatusUnauthorized {
		http.Error(w, "merchant-id does not match the signing partner-id", http.StatusUnauthorized)
		return
	}
	if fault == FaultLoseAnswer {
		// Processed, and the answer is lost on its way back.
		dropConnection(w)
		return
	}
	s.deliver(w, r, m, resp, x.delivery)
}

// authenticate verifies the Authorization header and returns the signing
// merchant.
// readSigned reads a request body of at most limit bytes and checks its
// signature; on failure it has answered (400 for an unreadable body, an
// unsigned 401 for a bad signature) and ok is false.
func (s *Server) readSigned(w http.ResponseWriter, r *http.Request, limit int64) (m Merchant, body []byte, ok bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit))
	if err != nil {
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return Merchant{}, nil, false
	}
	m, err = s.authenticate(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return Merchant{}, nil, false
	}
	return m, body, true
}

func (s *Server) authenticate(r *http.Request, body []byte) (Merchant, error) {
	var headers []sign.Header
	for name, values := range r.Header {
		for _, v := range values {
			headers = append(headers, sign.Header{Name: name, Value: v})
		}
	}
	s.mu.Lock()
	now := s.Now()
	s.mu.Unlock()
	var found Merchant
	_, err := sign.Verify(sign.Message{Method: r.Method, Target: r.RequestURI, Headers: headers, Body: body},
		r.Header.Get("Authorization"),
		func(partnerID, keyID string) ([]byte, error) {
			s.mu.Lock()
			m, ok := s.merchants[partnerID]
			s.mu.Unlock()
			if !ok {
				return nil, fmt.Errorf("unknown partner-id %q", partnerID)
			}
			if m.KeyID != keyID {
				return nil, fmt.Errorf("unknown key-id %q for partner-id %q", keyID, partnerID)
			}
			found = m
			return m.Key, nil
		}, now, s.Skew)
	if err != nil {
		return Merchant{}, err
	}
	return found, nil
}

// contentType is the answers' Content-Type, the sandbox's documented one
// (inferred: the spec's examples are XML and name no charset).
const contentType = "text/xml;charset=utf-8"

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// writeSigned writes a 200 with X-SignedResponse; corrupt spoils the
// signature (the sandbox's 4.44).
func (s *Server) writeSigned(w http.ResponseWriter, m Merchant, body []byte, corrupt bool) {
	params, err := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: contentType}}, Body: body},
		m.Key, m.ID, m.KeyID, []string{"Content-Type"}, s.Now())
	if err != nil {
		http.Error(w, "cannot sign response", http.StatusInternalServerError)
		return
	}
	if corrupt {
		params.Signature = strings.Repeat("0", 64)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-SignedResponse", params.String())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func (s *Server) nextSeq() int {
	s.seq++
	return s.seq
}

// ID formats: the sandbox's documented ones (docs/sandbox.md), one counter
// for all: oi-000001, ch-000002, rf-000003, rv-000004. Inferred: the spec
// gives only examples and maximum lengths (optin-id, charge-id, refund-id
// and reversal-id at most 24 characters).
func (s *Server) newID(prefix string) string { return fmt.Sprintf("%s-%06d", prefix, s.nextSeq()) }

// timestamp renders the spec's Timestamp: "YYYY-MM-DD hh:mm:ss", UTC.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

// xmlMediaType reports whether ct names an XML body: application/xml,
// which every request of the spec declares, or text/xml, which Boku's
// signing examples send; parameters (charset) and case aside.
func xmlMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/xml" || mt == "text/xml")
}
