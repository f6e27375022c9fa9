package boku

import (
	"context"
	"errors"
	"strings"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
)

// readOnlyCalls are the Boku calls that change nothing, so `bokuctl api`
// sends them without a journal row: the spec's queries (query-charge,
// query-refund), the SDK's query-optin, optin-info, check-eligibility and
// msisdn-network (public by name only: their names say they read
// [inferred]), and forex and fund-check, which bokuctl's own forex and
// fund-check commands send as reads. Every other call, known or not, can
// change state.
var readOnlyCalls = map[string]bool{
	"query-charge": true, "query-refund": true, "query-optin": true, "optin-info": true,
	"check-eligibility": true, "msisdn-network": true, "forex": true, "fund-check": true,
}

// apiOperations are the calls whose api rows the Settler knows, as the
// command whose row it settles the same way.
var apiOperations = map[string]string{
	"charge": "charge", "begin-single-charge": "charge hosted", "reverse-charge": "charge reverse",
	"refund-charge": "refund", "optin": "optin begin", "validate-optin": "optin validate",
	"confirm-optin": "optin confirm", "cancel-optin": "optin cancel",
}

// apiOperation is the operation an `api` row of Boku settles as ("" for
// a call the Settler does not know), and the entry to settle it with.
func apiOperation(e journal.Entry) (journal.Entry, bool) {
	path, ok := strings.CutPrefix(e.Operation, "api ")
	if !ok {
		return e, true
	}
	op := apiOperations[bokudirect.CallName(path)]
	if op == "" {
		return e, false
	}
	e.Operation = op
	if op == "refund" && e.Targets["merchant-refund-id"] != "" {
		e.Key = e.Targets["merchant-refund-id"]
	}
	return e, true
}

// API sends one `bokuctl api` request to Boku: an XML body from --input
// or built from -f fields (the request element is the call's name plus
// -request, as the spec names them; merchant-id is the profile's when
// absent), signed as every call is, to the profile's (or --country's)
// host. The answer's signature is verified as every answer's is. A call
// that can change state is journalled under its merchant-request-id,
// filled in when absent.
func (Provider) API(ctx context.Context, f *cmdutil.Factory, req *provider.APIRequest) error {
	if req.Method != "" && !strings.EqualFold(req.Method, "POST") {
		return exitcode.New(exitcode.Usage, "-X %s: every Boku call is a POST", req.Method).WithHint("drop -X")
	}
	if err := provider.RefuseHeaders(req.Header, "Content-Type", "X-SignedResponse"); err != nil {
		return err
	}
	path := req.Path
	if err := bokudirect.CheckPath(path); err != nil {
		return exitcode.New(exitcode.Usage, "PATH: %v", err).WithHint("give the call's path, such as /billing/3.0/query-charge; the host is the profile's")
	}
	call := bokudirect.CallName(path)
	mutation := !readOnlyCalls[call]
	var (
		body []byte
		top  map[string]string
		err  error
	)
	if req.HasInput {
		if _, top, err = provider.XMLTop(req.Input); err != nil {
			return exitcode.New(exitcode.Usage, "--input: %v", err).WithHint("Boku's bodies are XML, such as <%s-request>…</%s-request>", call, call)
		}
	} else {
		if _, err := provider.BuildXML(call+"-request", req.Fields); err != nil {
			return err
		}
		top = map[string]string{}
		for _, fl := range req.Fields {
			if _, had := top[fl.Name]; !had {
				top[fl.Name] = fl.Value
			}
		}
	}
	key := top["merchant-request-id"]
	if key != "" && !cmdutil.ValidKey(key) {
		return exitcode.New(exitcode.Usage, "merchant-request-id %s: use 1 to 64 letters, digits or . _ : -", cmdutil.QuoteValue(key))
	}
	if call == "reverse-charge" && key == "" {
		return exitcode.New(exitcode.Usage, "reverse-charge names the charge it reverses by that charge's merchant-request-id: give it").
			WithHint("-f merchant-request-id=ORIGINAL_ID (the id printed when the charge was sent)")
	}
	session, err := NewSession(ctx, f, req.Country)
	if err != nil {
		return err
	}
	if err := session.CheckCountry(req.Country); err != nil {
		return err
	}
	var filled []provider.Field
	if top["merchant-id"] == "" {
		filled = append(filled, provider.Field{Name: "merchant-id", Value: session.Direct.MerchantID()})
	}
	statusCmd := "query the call's outcome before sending it again"
	if mutation {
		in := cmdutil.Intent{Provider: string(provider.Boku), Key: key, Flag: "field merchant-request-id", Label: "Merchant request ID",
			Reuses: true, Targets: map[string]string{"path": path}}
		if id := top["merchant-refund-id"]; id != "" {
			in.Targets["merchant-refund-id"] = id
		}
		if id := top["optin-id"]; id != "" {
			in.Targets["optin-id"] = id
		}
		// What the call moves, for the journal's amount column, read
		// with the same exact parser as Boku's answers.
		if value := firstOf(top, "total-amount", "refund-amount"); value != "" && top["currency"] != "" {
			if amount, err := bokudirect.ParseWireAmount(value, top["currency"]); err == nil {
				in.Amount = &amount
			}
		}
		if call == "reverse-charge" {
			in.Prefix, in.Follows, in.Settles = "reverse:", key, journal.StatusReversed
		}
		f.Run.Operation = "api " + path
		// Reuses: the key notice is this command's own (below), which
		// says how to send the key again with -f or in the body.
		given := key
		if key, err = f.Announce(ctx, in); err != nil {
			return err
		}
		how := "send the same body again"
		if given == "" {
			filled = append(filled, provider.Field{Name: "merchant-request-id", Value: key})
			how = "filled in; send it again with -f merchant-request-id=" + key + " (or in the body)"
			if call == "refund-charge" && top["merchant-refund-id"] == "" {
				filled = append(filled, provider.Field{Name: "merchant-refund-id", Value: key})
			}
		}
		f.Printer.Notice("Merchant request ID: %s (%s to retry safely)", key, how)
		statusCmd = "bokuctl journal show " + in.Prefix + key + session.ProfileArg
		if op := apiOperations[call]; op != "" {
			statusCmd = "bokuctl reconcile" + session.ProfileArg + " (or query the call with the same merchant-request-id)"
		}
	}
	if req.HasInput {
		body, err = provider.InsertXMLElements(req.Input, filled)
	} else {
		body, err = provider.BuildXML(call+"-request", append(filled, req.Fields...))
	}
	if err != nil {
		return exitcode.New(exitcode.Usage, "--input: %v", err)
	}
	resp, err := session.Direct.Raw(ctx, path, body, req.Header, mutation)
	var apiErr *bokudirect.APIError
	if resp == nil || resp.Result == nil || (err != nil && !errors.As(err, &apiErr)) {
		return Explain(err, statusCmd)
	}
	doc, derr := provider.XMLToJSON(resp.Body)
	if derr != nil {
		return Explain(&bokudirect.MalformedResponseError{Call: call, Mutation: mutation, Err: derr}, statusCmd)
	}
	answer := provider.APIAnswer{Status: resp.Status, Header: resp.Header, Body: resp.Body, Doc: doc, MaskHeader: bokudirect.MaskHeader, Include: req.Include}
	_, ans, _ := provider.XMLTop(resp.Body)
	answer.ID = firstOf(ans, "charge-id", "refund-id", "optin-id", "reversal-id")
	if perr := provider.PrintAPI(f, answer); perr != nil {
		return perr
	}
	// As the charge and refund commands decide: Boku's own status word
	// of what the call made comes first, then the result's reason code.
	status := firstOf(ans, "charge-status", "refund-status")
	switch {
	case status == bokudirect.StatusFailed:
		what := "refund"
		if ans["charge-status"] != "" {
			what = "charge"
		}
		if err != nil {
			return &exitcode.Error{Code: exitcode.Declined, Err: err}
		}
		return exitcode.New(exitcode.Declined, "boku %s: %s %s failed", call, what, answer.ID)
	case status == bokudirect.StatusInProgress || exitcode.Of(err) == exitcode.Pending:
		return exitcode.New(exitcode.Pending, "boku %s: in progress, not final yet", call).WithHint("%s", statusCmd)
	case err != nil:
		return Explain(err, statusCmd)
	}
	return nil
}

func firstOf(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := m[k]; v != "" {
			return v
		}
	}
	return ""
}
