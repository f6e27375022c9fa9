package boku

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// Provider is Boku as the rest of bokuctl sees it: its description, and
// the capabilities Settler, UnknownReverser and Checker.
type Provider struct{}

// keyLifetime is how long Boku keeps merchant request ids for lookup.
const keyLifetime = 24 * time.Hour

// reverseWindow is how long after a charge Boku's reverse-charge works.
const reverseWindow = time.Hour

// Describe says what a Boku profile needs.
func (Provider) Describe() provider.Description {
	return provider.Description{
		Name: provider.Boku, Title: "Boku", Payments: true, Section: "boku",
		Configured: func(get func(string) string) bool { return get("boku.merchant-id") != "" },
		Setup:      func(func(string) string) []string { return []string{"boku.merchant-id", "boku.key-id", "boku.country"} },
		Secrets:    func(func(string) string) []string { return []string{"boku-key"} },
		Statuses:   provider.BokuStatuses,
		Production: production,
		Merchant: func(get func(string) string) string {
			// Boku's merchant (partner) id names the account in every
			// country (the country is the host a request goes to); its
			// production account is another account than its test one.
			id := get("boku.merchant-id")
			switch {
			case id == "":
				return ""
			case get("boku.environment") == bokudirect.Production:
				return "boku production " + id
			}
			return "boku " + id
		},
	}
}

// production: a profile is production when boku.environment says so; its
// target is Boku's production host for the country, which boku.base-url
// would override.
func production(get func(string) string) provider.ProductionTarget {
	t := provider.ProductionTarget{Production: get("boku.environment") == bokudirect.Production, Target: "boku " + get("boku.country")}
	if get("boku.base-url") != "" {
		t.Override = "boku.base-url"
	}
	return t
}

// Check makes a signed query-charge for a merchant request id nobody
// used: Boku answers "found 0", which proves the merchant id, key id and
// key, and charges nothing.
func (Provider) Check(ctx context.Context, f *cmdutil.Factory) (string, error) {
	session, err := NewSession(ctx, f, "")
	if err != nil {
		return "", err
	}
	if _, err := session.Direct.QueryCharge(ctx, bokudirect.QueryChargeRequest{MerchantRequestID: "bokuctl-init-check"}); err != nil {
		return "", Explain(err, "")
	}
	return "Check: Boku accepted a signed query-charge (nothing was charged).", nil
}

// Next is what to run after init.
func (Provider) Next(profile string) string {
	return fmt.Sprintf("bokuctl -p %s optin begin --payment-method METHOD --forward-url https://your.shop/done", profile)
}

// asked is one read-only question, run through the handler of the
// command that asks it, with its exit code and the result it printed.
type asked struct {
	command string // for people: "bokuctl charge status --merchant-request-id K"
	code    exitcode.Code
	json    string
	value   any
}

// ask runs handler (a status handler: it sends nothing that changes
// state) for the row's profile, quietly.
func ask(ctx context.Context, f *cmdutil.Factory, e journal.Entry, h provider.Handler, command string) (asked, error) {
	var out bytes.Buffer
	qf, err := f.ForProfile(e.Profile, "", &output.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: io.Discard})
	if err != nil {
		return asked{}, err
	}
	cmd := &cobra.Command{}
	cmd.SetContext(ctx)
	runErr := h.Run(cmd, qf, nil)
	j, v := qf.Result()
	return asked{command: command, code: exitcode.Of(runErr), json: string(j), value: v}, nil
}

// judge is the row's settlement from the exit code of its query: the
// query's own code path decides, as `charge status` would.
func judge(e journal.Entry, a asked) provider.Settlement {
	o := journal.Outcome{ExitCode: int(a.code), Result: a.json, Reason: "reconciled with `" + a.command + "`"}
	if m, ok := a.value.(cmdutil.Made); ok {
		o.MadeID, _, _ = m.Made()
	}
	switch a.code {
	case exitcode.OK:
		o.Status = journal.StatusOK
		return provider.Settlement{Outcome: o, Detail: "done at the provider"}
	case exitcode.Pending:
		o.Status = journal.StatusPending
		return provider.Settlement{Outcome: o, Detail: "still in progress"}
	case exitcode.Declined:
		o.Status = journal.StatusDeclined
		return provider.Settlement{Outcome: o, Detail: "failed at the provider"}
	case exitcode.Usage:
		// Boku found nothing under the key: the request never arrived, as
		// long as Boku still keeps keys that old.
		if time.Since(e.Time) < keyLifetime {
			o.Status = journal.StatusFailed
			return provider.Settlement{Outcome: o, NotFound: true, Detail: "the provider has no such request: it was not processed"}
		}
		return provider.Settlement{Keep: true, Detail: "not found, but older than the 24 hours Boku keeps request ids"}
	}
	return provider.CouldNotAsk(a.code)
}

// Settle asks Boku what became of a journalled request: charges by their
// merchant request id (query-charge), reversals by the charge's query,
// refunds by their merchant refund id (query-refund), opt-ins by their
// merchant request id (query-optin). A `bokuctl api` row of one of
// these calls is settled the same way (apiOperation).
func (p Provider) Settle(ctx context.Context, f *cmdutil.Factory, e journal.Entry) provider.Settlement {
	e, known := apiOperation(e)
	if !known {
		return provider.Settlement{Keep: true, Detail: "no query answers this operation: settle it with `bokuctl journal settle`"}
	}
	switch e.Operation {
	case "charge", "charge hosted":
		a, err := ask(ctx, f, e, &ChargeStatus{merchantRequestID: e.Key}, "bokuctl charge status --merchant-request-id "+e.Key)
		if err != nil {
			return provider.Settlement{Keep: true, Detail: err.Error()}
		}
		s := judge(e, a)
		if c, ok := a.value.(chargeResult); ok && a.code == exitcode.Declined && c.ReversalID != "" {
			s.Outcome.Status, s.Detail = journal.StatusReversed, "Boku shows the charge reversed"
		}
		return s
	case "charge reverse":
		original := strings.TrimPrefix(e.Key, "reverse:")
		a, err := ask(ctx, f, e, &ChargeStatus{merchantRequestID: original}, "bokuctl charge status --merchant-request-id "+original)
		if err != nil {
			return provider.Settlement{Keep: true, Detail: err.Error()}
		}
		if c, ok := a.value.(chargeResult); ok && a.code == exitcode.Declined && c.ReversalID != "" {
			// charge status exits 3 for the reversed charge: for the
			// reversal, that is its success.
			s := judge(e, a)
			s.Outcome.Status, s.Outcome.ExitCode, s.Detail = journal.StatusOK, int(exitcode.OK), "Boku shows the reversal"
			return s
		}
		return provider.Settlement{Keep: true, Detail: "no reversal shown yet"}
	case "refund":
		a, err := ask(ctx, f, e, &RefundStatus{merchantRefundID: e.Key}, "bokuctl refund status --merchant-refund-id "+e.Key)
		if err != nil {
			return provider.Settlement{Keep: true, Detail: err.Error()}
		}
		return judge(e, a)
	case "optin begin", "optin validate", "optin confirm", "optin cancel":
		return settleOptin(ctx, f, e)
	}
	return provider.Settlement{Keep: true, Detail: "no query answers this operation"}
}

// settleOptin asks query-optin about the opt-in a row acted on: optin
// begin's by the merchant request id it was sent with (found: begin was
// processed); validate, confirm and cancel by the opt-in they named, from
// the state Boku shows (spec: pending-validate → pending-confirm → active
// → closed).
func settleOptin(ctx context.Context, f *cmdutil.Factory, e journal.Entry) provider.Settlement {
	req := bokudirect.QueryOptinRequest{MerchantRequestID: uuid.NewString()}
	command := "bokuctl optin status "
	switch {
	case e.Operation == "optin begin":
		req.OptinRequestID, command = e.Key, command+"--optin-request-id "+e.Key
	case e.Targets["args"] != "":
		req.OptinID, command = e.Targets["args"], command+e.Targets["args"]
	case e.Targets["optin-id"] != "":
		req.OptinID, command = e.Targets["optin-id"], command+e.Targets["optin-id"]
	case e.Targets["optin-request-id"] != "":
		req.OptinRequestID, command = e.Targets["optin-request-id"], command+"--optin-request-id "+e.Targets["optin-request-id"]
	default:
		return provider.Settlement{Keep: true, Detail: "the row names no opt-in to ask about"}
	}
	qf, err := f.ForProfile(e.Profile, "", &output.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard})
	if err != nil {
		return provider.Settlement{Keep: true, Detail: err.Error()}
	}
	session, err := NewSession(ctx, qf, "")
	if err != nil {
		return provider.Settlement{Keep: true, Detail: err.Error()}
	}
	resp, err := session.Direct.QueryOptin(ctx, req)
	code := exitcode.Of(Explain(err, ""))
	if err == nil && resp.OptinID == "" {
		code = exitcode.Usage // an OK answer that names no opt-in found none
	}
	a := asked{command: command, code: code}
	state := ""
	if err == nil {
		if resp.OptinState != nil {
			state = resp.OptinState.Status
		}
		a.json = fmt.Sprintf(`{"optin_id":%q,"optin_status":%q}`, resp.OptinID, state)
	}
	if code != exitcode.OK || e.Operation == "optin begin" {
		s := judge(e, a)
		if code == exitcode.OK || code == exitcode.Pending {
			// The opt-in exists (it may wait for the consumer): begin is done.
			s.Outcome.Status, s.Outcome.ExitCode, s.Detail = journal.StatusOK, 0, "Boku has the opt-in"
		}
		if code == exitcode.Usage && e.Operation != "optin begin" {
			// Validate, confirm and cancel name an opt-in that exists: not
			// finding it says nothing about whether they arrived.
			return provider.Settlement{Keep: true, Detail: "Boku does not show the opt-in"}
		}
		return s
	}
	o := journal.Outcome{Result: a.json, Reason: "reconciled with `" + command + "`"}
	done := map[string][]string{
		"optin validate": {"pending-confirm", "active", "closed"},
		"optin confirm":  {"active", "closed"},
		"optin cancel":   {"closed"},
	}[e.Operation]
	switch {
	case done == nil:
		return provider.Settlement{Keep: true, Detail: "no query answers this operation"}
	case slices.Contains(done, state):
		o.Status = journal.StatusOK
		return provider.Settlement{Outcome: o, Detail: "the opt-in is " + state}
	case e.Operation == "optin validate" && state == "pending-validate":
		o.Status, o.ExitCode = journal.StatusPending, int(exitcode.Pending)
		return provider.Settlement{Outcome: o, Detail: "the opt-in is still pending-validate: the consumer has not finished"}
	}
	o.Status, o.ExitCode = journal.StatusFailed, int(exitcode.Usage)
	return provider.Settlement{Outcome: o, NotFound: true, Detail: "the opt-in is " + state + ": the request was not processed"}
}

// ReverseUnknown reverses a Boku charge whose outcome is unknown, within
// the hour Boku's reverse-charge allows: Boku reverses it if it arrived
// and accepts the reversal all the same if it did not, so the row is
// settled either way. The reversal is journalled as its own row,
// following the charge's.
func (Provider) ReverseUnknown(ctx context.Context, f *cmdutil.Factory, e journal.Entry) (provider.Settlement, bool) {
	if e.Operation != "charge" {
		return provider.Settlement{Detail: "Boku reverses charges only"}, false
	}
	if age := time.Since(e.Time); age >= reverseWindow {
		return provider.Settlement{Detail: "older than the hour Boku's reverse-charge allows"}, false
	}
	var out bytes.Buffer
	rf, err := f.ForProfile(e.Profile, "charge reverse", &output.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: io.Discard})
	if err != nil {
		return provider.Settlement{Detail: err.Error()}, false
	}
	runErr := (&chargeReverseInput{merchantRequestID: e.Key}).Run(ctx, rf, nil)
	rf.Finish(runErr)
	code := exitcode.Of(runErr)
	j, _ := rf.Result()
	if code != exitcode.OK {
		return provider.Settlement{Keep: true, Detail: fmt.Sprintf("the reversal failed (exit %d)", code)}, true
	}
	return provider.Settlement{Outcome: journal.Outcome{Status: journal.StatusReversed, Result: string(j),
		Reason: "reversed by bokuctl reconcile --reverse-unknown (journal row reverse:" + e.Key + ")"}, Detail: "reversed (--reverse-unknown)"}, true
}
