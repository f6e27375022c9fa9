package boku

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The MTE simulator (Boku's test-environment guide), served under any path
// containing /merchant-api/: signed PUTs, merchant-id = partner-id, that
// set what the simulated issuer answers next.
//
//	PUT …/merchant-api/{merchant-id}/hosted-optin/{merchant-request-id}             before the optin → 200
//	PUT …/merchant-api/{merchant-id}[-mte]/hosted-optin/optin-id/{optin-id}/redirect  the consumer's return → 200
//	PUT …/merchant-api/{merchant-id}-mte/hosted-optin/optin-id/{optin-id}/charge-behavior → 204
//	PUT …/merchant-api/{merchant-id}-mte/hosted-optin/optin-id/{optin-id}/refund-behavior → 204
//
// A charge-behavior or refund-behavior error code replaces the sandbox's
// magic amounts for that opt-in: 0 succeeds, 23 stays in progress, any
// other code fails with it. Latency is accepted and not simulated.

// optinBehavior is a <hosted-optin-behavior> set before the optin call.
type optinBehavior struct {
	ResponseCode       string `xml:"response-code,attr"`
	AccountIdentifier  string `xml:"account-identifier,attr"`
	IssuerUniqueUserID string `xml:"issuer-unique-user-id,attr"`
	FailOnValidate     string `xml:"fail-on-validate,attr"`
	SendRedirection    string `xml:"send-redirection-result,attr"`
}

type behavior struct {
	ErrorCode string `xml:"error-code,attr"`
	Latency   string `xml:"latency,attr"`
}

// simulate answers one simulator request; path is what follows
// "merchant-api/".
func (s *Server) simulate(w http.ResponseWriter, r *http.Request, path string) {
	if r.Method != http.MethodPut {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	merchant, err := s.authenticate(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 3 || strings.TrimSuffix(parts[0], "-mte") != merchant.ID || parts[1] != "hosted-optin" {
		http.Error(w, "unknown simulator path", http.StatusNotFound)
		return
	}
	switch {
	case len(parts) == 3:
		var b optinBehavior
		if xml.Unmarshal(body, &b) != nil || !isCode(b.ResponseCode) {
			http.Error(w, "expected <hosted-optin-behavior response-code=\"N\"/>", http.StatusBadRequest)
			return
		}
		s.optinBehaviors[mrKey(merchant.ID, parts[2])] = b
		w.WriteHeader(http.StatusOK)
	case len(parts) == 5 && parts[2] == "optin-id":
		o := s.optinsByID[parts[3]]
		if o == nil || o.merchantID != merchant.ID {
			http.Error(w, "optin not found", http.StatusNotFound)
			return
		}
		switch parts[4] {
		case "redirect":
			var b optinBehavior
			if xml.Unmarshal(body, &b) != nil || !isCode(b.ResponseCode) {
				http.Error(w, "expected <hosted-optin-behavior response-code=\"N\"/>", http.StatusBadRequest)
				return
			}
			o.approved, o.validateCode = true, atoi(b.ResponseCode)
			s.markOptin(o)
			if b.AccountIdentifier != "" {
				o.accountIdentifier = b.AccountIdentifier
			}
			w.WriteHeader(http.StatusOK)
		case "charge-behavior", "refund-behavior":
			var b behavior
			if xml.Unmarshal(body, &b) != nil || !isCode(b.ErrorCode) {
				http.Error(w, "expected <"+parts[4]+" error-code=\"N\"/>", http.StatusBadRequest)
				return
			}
			code := atoi(b.ErrorCode)
			if parts[4] == "charge-behavior" {
				o.chargeCode = &code
			} else {
				o.refundCode = &code
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, "unknown simulator path", http.StatusNotFound)
		}
	default:
		http.Error(w, "unknown simulator path", http.StatusNotFound)
	}
}

func isCode(s string) bool { _, err := strconv.Atoi(s); return err == nil }

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
