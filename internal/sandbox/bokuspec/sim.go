package bokuspec

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveSimulator answers Boku's MTE simulator requests (mte_simulation.md,
// reference §7). rest is the path after "merchant-api". Inferred where the
// guide is silent: only PUT is served (405 otherwise); the answers carry no
// body and are not signed; an unknown opt-in is 404; a body that is not the
// expected element, or lacks its required code attribute, is 400.
func (s *Server) serveSimulator(w http.ResponseWriter, r *http.Request, rest []string) {
	if len(rest) < 2 {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	merchantID := strings.TrimSuffix(rest[0], "-mte")
	rest = rest[1:]
	if rest[0] == "hosted-optin" {
		rest = rest[1:]
	}
	var kind, key string
	switch {
	case len(rest) == 1:
		kind, key = "plan", rest[0] // …/hosted-optin/{merchant-request-id}
	case len(rest) == 3 && rest[0] == "optin-id" && (rest[2] == "redirect" || rest[2] == "charge-behavior" || rest[2] == "refund-behavior"):
		kind, key = rest[2], rest[1]
	default:
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", http.MethodPut)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	m, body, ok := s.readSigned(w, r, 1<<16)
	if !ok {
		return
	}
	if m.ID != merchantID {
		http.Error(w, "merchant-id in the URL is not the signing partner-id", http.StatusUnauthorized)
		return
	}
	root, err := parseXML(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.accounts[m.ID]
	switch kind {
	case "plan", "redirect":
		if root.name != "hosted-optin-behavior" {
			http.Error(w, "expected <hosted-optin-behavior>", http.StatusBadRequest)
			return
		}
		code, ok := intAttr(root, "response-code")
		if !ok {
			http.Error(w, "response-code is required", http.StatusBadRequest)
			return
		}
		if kind == "plan" {
			p := optinPlan{code: code, account: root.attrs["account-identifier"], userID: root.attrs["issuer-unique-user-id"],
				failOnValidate: root.attrs["fail-on-validate"] == "true", sendRedirection: root.attrs["send-redirection-result"] == "true",
				sendRedirectionDelay: 500 * time.Millisecond}
			if d, ok := intAttr(root, "send-redirection-result-delay-ms"); ok && d > 500 {
				p.sendRedirectionDelay = time.Duration(d) * time.Millisecond
			}
			acct.optinPlans[key] = p
		} else {
			o := acct.optins[key]
			if o == nil {
				http.Error(w, "optin not found", http.StatusNotFound)
				return
			}
			o.complete(code, root.attrs["account-identifier"], root.attrs["issuer-unique-user-id"])
			s.markOptin(o.id)
		}
		w.WriteHeader(http.StatusOK)
	default:
		want := kind // charge-behavior or refund-behavior
		if root.name != want {
			http.Error(w, "expected <"+want+">", http.StatusBadRequest)
			return
		}
		code, ok := intAttr(root, "error-code")
		if !ok {
			http.Error(w, "error-code is required", http.StatusBadRequest)
			return
		}
		b := behavior{code: code}
		if l, ok := intAttr(root, "latency"); ok && l > 0 {
			b.latency = time.Duration(l) * time.Millisecond
		}
		if acct.optins[key] == nil {
			http.Error(w, "optin not found", http.StatusNotFound)
			return
		}
		if kind == "charge-behavior" {
			acct.chargeBehavior[key] = b
		} else {
			acct.refundBehavior[key] = b
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func intAttr(n *node, name string) (int, bool) {
	v, ok := n.attrs[name]
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimSpace(v))
	return i, err == nil
}

// complete records the consumer's return from the hosted opt-in page.
func (o *optin) complete(code int, account, userID string) {
	o.redirected, o.redirectCode = true, code
	if account != "" {
		o.account = account
	}
	if userID != "" {
		o.userID = userID
	}
}

// ErrNotFound is returned by the harness methods for an unknown id.
var ErrNotFound = errors.New("bokuspec: not found")

func (s *Server) findOptin(id string) *optin {
	for _, a := range s.accounts {
		if o := a.optins[id]; o != nil {
			return o
		}
	}
	return nil
}

func (s *Server) findCharge(id string) (*account, *charge) {
	for _, a := range s.accounts {
		if c := a.chargeByID[id]; c != nil {
			return a, c
		}
	}
	return nil, nil
}

// ApproveOptin is the consumer's step at the hosted opt-in page: the
// consumer authenticates and is sent back to the forward-url, so that
// validate-optin succeeds. It is CompleteOptin with response code 0.
func (s *Server) ApproveOptin(optinID string) error { return s.CompleteOptin(optinID, 0) }

// CompleteOptin records the consumer's return from the hosted opt-in page
// with the given response code (as the simulator's redirect behaviour and
// the hosted page's form do): validate-optin then answers that code.
func (s *Server) CompleteOptin(optinID string, responseCode int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findOptin(optinID)
	if o == nil {
		return ErrNotFound
	}
	o.complete(responseCode, "", "")
	s.markOptin(o.id)
	return nil
}

// CompleteSingleCharge is the consumer's step at begin-single-charge's
// redirect-url: reason code 0 makes the charge succeed, any other fails it
// with that code. Only an in-progress single charge can be completed.
func (s *Server) CompleteSingleCharge(chargeID string, reasonCode int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, c := s.findCharge(chargeID)
	if c == nil || !c.single {
		return ErrNotFound
	}
	if c.status != statusInProgress {
		return fmt.Errorf("bokuspec: charge %s is already %s", chargeID, c.status)
	}
	s.authorize(a, c, reasonCode)
	return nil
}

// authorize ends an in-progress single charge with code, and notifies its
// notification-url. Callers hold s.mu.
func (s *Server) authorize(a *account, c *charge, code int) {
	c.doneAt, c.final = s.Now(), code
	c.settle(c.doneAt)
	s.markCharge(c.id)
	s.notifyCharge(a, c)
}

// Chargeback records an issuer-initiated refund (type chargeback, spec
// RefundType) of amount (a decimal in the charge's currency; "" for the
// whole remaining balance) with one of Boku's refund reason codes. It
// returns the refund-id, which query-refund finds.
func (s *Server) Chargeback(chargeID, amount string, reasonCode int) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, c := s.findCharge(chargeID)
	if c == nil {
		return "", ErrNotFound
	}
	if !refundReasons[reasonCode] {
		return "", fmt.Errorf("bokuspec: %d is not a refund reason code", reasonCode)
	}
	remaining := c.amount - c.refunded - c.reserved
	minor := remaining
	if amount != "" {
		var ok bool
		if minor, ok = parseAmount(amount, c.currency); !ok {
			return "", fmt.Errorf("bokuspec: bad amount %q", amount)
		}
	}
	if c.status != statusSuccess || minor <= 0 || minor > remaining {
		return "", fmt.Errorf("bokuspec: charge %s cannot be charged back by %s", chargeID, amount)
	}
	now := s.Now()
	rf := &refund{id: s.newID("rf"), chargeID: c.id, reasonCode: reasonCode, amount: minor, kind: "chargeback",
		created: now, outcome: outcome{status: statusSuccess, code: rcOK}}
	c.refunded += minor
	a.refunds = append(a.refunds, rf)
	a.refundByID[rf.id] = rf
	s.markCharge(c.id)
	s.markRefund(rf.id)
	s.notifyRefund(a, rf, c)
	return rf.id, nil
}

// serveHosted is the consumer's page: GET shows a form standing in for the
// issuer's UI (like Boku's Hosted Optin Simulator UI); POST records the
// consumer's answer and redirects to the merchant's forward-url.
func (s *Server) serveHosted(w http.ResponseWriter, r *http.Request, kind, id string) {
	s.mu.Lock()
	var forward string
	found := false
	if kind == "optin" {
		if o := s.findOptin(id); o != nil {
			found, forward = true, o.forwardURL
		}
	} else if _, c := s.findCharge(id); c != nil && c.single {
		found, forward = true, c.forwardURL
	}
	s.mu.Unlock()
	if !found {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Boku 3.0 fake: %[1]s %[2]s</title>
<form method="post"><p>Simulated issuer page for %[1]s %[2]s.</p>
<label>Response code <input name="response-code" value="0"></label>
<button type="submit">Submit</button></form>
`, html.EscapeString(kind), html.EscapeString(id))
	case http.MethodPost:
		code, err := strconv.Atoi(strings.TrimSpace(r.FormValue("response-code")))
		if err != nil {
			http.Error(w, "response-code must be an integer", http.StatusBadRequest)
			return
		}
		if kind == "optin" {
			s.mu.Lock()
			s.findOptin(id).complete(code, r.FormValue("account-identifier"), r.FormValue("issuer-unique-user-id"))
			s.markOptin(id)
			s.mu.Unlock()
		} else if err := s.CompleteSingleCharge(id, code); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		http.Redirect(w, r, forward, http.StatusSeeOther)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// serveConsent is the sandbox's issuer page, /consent/{id} (the optin-url
// and redirect-url the fake answers). GET is the consumer approving at
// once, as the sandbox documents: a pending-validate opt-in is approved (as
// ApproveOptin), an in-progress single charge authorized (it succeeds, or
// fails with 3 for the 6.66 amount), and the consumer is redirected (302)
// to the forward-url; anything else is 404. POST is the hosted page's form
// (a response-code, as serveHosted takes).
func (s *Server) serveConsent(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method == http.MethodPost {
		kind := "optin"
		s.mu.Lock()
		if _, c := s.findCharge(id); c != nil {
			kind = "charge"
		}
		s.mu.Unlock()
		s.serveHosted(w, r, kind, id)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, c := s.findCharge(id); c != nil && c.single && c.status == statusInProgress {
		code := rcOK
		if c.amount == amountInsufficientFunds {
			code = rcInsufficientCredit
		}
		s.authorize(a, c, code)
		http.Redirect(w, r, c.forwardURL, http.StatusFound)
		return
	}
	o := s.findOptin(id)
	if o == nil || o.status != optinPendingValidate {
		http.Error(w, "no such opt-in awaiting consent", http.StatusNotFound)
		return
	}
	o.complete(rcOK, "", "")
	s.markOptin(o.id)
	http.Redirect(w, r, o.forwardURL, http.StatusFound)
}
