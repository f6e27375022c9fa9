package worldline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// Provider is Worldline Acquiring as the rest of bokuctl sees it: its
// description, and the capabilities Settler, UnknownReverser and Checker.
type Provider struct{}

// Describe says what a Worldline profile needs.
func (Provider) Describe() provider.Description {
	return provider.Description{
		Name: provider.Worldline, Title: "Worldline", Payments: true, Section: "worldline",
		Configured: func(get func(string) string) bool { return get("worldline.client-id") != "" },
		Setup: func(func(string) string) []string {
			return []string{"worldline.acquirer-id", "worldline.merchant-id", "worldline.client-id"}
		},
		Secrets: func(get func(string) string) []string {
			if get("worldline.proxy-username") != "" {
				return []string{"worldline-client-secret", "worldline-proxy-password"}
			}
			return []string{"worldline-client-secret"}
		},
		Statuses:   provider.WorldlineStatuses,
		Production: production,
		Merchant: func(get func(string) string) string {
			// A Worldline merchant is named within its acquirer.
			acquirer, merchant := get("worldline.acquirer-id"), get("worldline.merchant-id")
			if acquirer == "" || merchant == "" {
				return ""
			}
			return "worldline " + acquirer + "/" + merchant
		},
	}
}

// Worldline's production hosts (docs/worldline.md; the token host is
// [inferred] from third-party configuration, see the reference).
const (
	productionAPIHost   = "api.acquiring.worldline-solutions.com"
	productionTokenHost = "auth-eu-west-1.aws.bambora.com"
)

// production: a profile is production when its API URL, or its token
// URL, is on Worldline's production host. Detection is by host, so no
// setting can send a production profile elsewhere.
func production(get func(string) string) provider.ProductionTarget {
	host := func(key string) string {
		u, err := url.Parse(get(key))
		if err != nil {
			return ""
		}
		return strings.ToLower(u.Hostname())
	}
	return provider.ProductionTarget{
		Production: host("worldline.api-url") == productionAPIHost || host("worldline.token-url") == productionTokenHost,
		Target:     "worldline merchant " + get("worldline.merchant-id"),
	}
}

// dryRunView is how a dry run shows Worldline's requests: the bearer
// token (a placeholder: none is fetched) masked, and in --curl output the
// environment variable WORLDLINE_TOKEN, an access token the user gets
// from worldline.token-url.
var dryRunView = cmdutil.DryRunView{
	Provider: string(provider.Worldline),
	Curl: func(_ *http.Request, _ []byte, name, _ string) (string, bool) {
		if !strings.EqualFold(name, "Authorization") {
			return "", false
		}
		return `"Authorization: Bearer $WORLDLINE_TOKEN"`, true
	},
}

// Check gets an access token and pings: nothing is charged.
func (Provider) Check(ctx context.Context, f *cmdutil.Factory) (string, error) {
	session, err := NewSession(ctx, f)
	if err != nil {
		return "", err
	}
	if err := session.Client.Ping(ctx); err != nil {
		return "", Explain(err, "")
	}
	return "Check: Worldline issued an access token and answered the ping.", nil
}

// Next is what to run after init.
func (Provider) Next(profile string) string {
	return fmt.Sprintf("bokuctl -p %s verify-card --card-file card.json", profile)
}

// quiet returns a Factory for a question about row e (or a follow-up to
// it) whose stdout goes to out and stderr nowhere.
func quiet(f *cmdutil.Factory, e journal.Entry, operation string, out io.Writer) (*cmdutil.Factory, *cobra.Command, error) {
	qf, err := f.ForProfile(e.Profile, operation, &output.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: io.Discard})
	if err != nil {
		return nil, nil, err
	}
	return qf, &cobra.Command{}, nil
}

// Settle asks Worldline what became of a journalled request. An
// operation on a known payment (capture, increment, reversal) is found
// among the payment's operations by its operation id; a payment whose
// answer said it was pending is read again. Worldline has no lookup by
// operation id, so a payment whose answer was lost cannot be asked about:
// the row names the technical reversal that settles it.
func (Provider) Settle(ctx context.Context, f *cmdutil.Factory, e journal.Entry) provider.Settlement {
	e, known := apiEntry(e)
	if !known {
		return provider.Settlement{Keep: true, Detail: "no query answers this operation: settle it with `bokuctl journal settle`, or undo it with `bokuctl operation reverse " + e.Key + "`"}
	}
	paymentID := e.Targets["args"]
	if e.Operation == "charge" {
		paymentID = e.MadeID
	}
	if paymentID == "" || !(strings.HasPrefix(e.Operation, "charge ") || e.Operation == "charge") {
		return provider.Settlement{Keep: true, Detail: "Worldline has no lookup by operation id: undo it with `bokuctl operation reverse " + e.Key +
			" --reason TIMEOUT_WAITING_RESPONSE` (or bokuctl reconcile --reverse-unknown)"}
	}
	var out bytes.Buffer
	qf, cmd, err := quiet(f, e, "", &out)
	if err != nil {
		return provider.Settlement{Keep: true, Detail: err.Error()}
	}
	cmd.SetContext(ctx)
	command := "bokuctl --provider worldline charge status " + paymentID + " --operations"
	runErr := (&ChargeStatus{operations: true}).Run(cmd, qf, []string{paymentID})
	j, v := qf.Result()
	code := exitcode.Of(runErr)
	r, ok := v.(result)
	if !ok || (code != exitcode.OK && code != exitcode.Pending) {
		return provider.CouldNotAsk(code)
	}
	o := journal.Outcome{Result: string(j), Reason: "reconciled with `" + command + "`", MadeID: r.PaymentID}
	if e.Operation == "charge" {
		switch provider.CommonStatus(provider.WorldlineStatuses, r.Status) {
		case provider.StatusPending:
			o.Status, o.ExitCode = journal.StatusPending, int(exitcode.Pending)
			return provider.Settlement{Outcome: o, Detail: "still in progress"}
		case provider.StatusDeclined:
			o.Status, o.ExitCode = journal.StatusDeclined, int(exitcode.Declined)
			return provider.Settlement{Outcome: o, Detail: "declined at the provider"}
		case provider.StatusReversed, provider.StatusCancelled:
			o.Status = journal.StatusReversed
			return provider.Settlement{Outcome: o, Detail: "the payment is " + r.Status}
		case provider.StatusAuthorized, provider.StatusSucceeded:
			o.Status = journal.StatusOK
			return provider.Settlement{Outcome: o, Detail: "the payment is " + r.Status}
		}
		return provider.Settlement{Keep: true, Detail: "the payment's status " + r.Status + " is not one bokuctl knows"}
	}
	for _, op := range r.Operations {
		if op.OperationID != e.Key {
			continue
		}
		if op.ResponseCodeCategory == "DECLINED" {
			o.Status, o.ExitCode = journal.StatusDeclined, int(exitcode.Declined)
			return provider.Settlement{Outcome: o, Detail: "the payment lists the operation, declined"}
		}
		o.Status = journal.StatusOK
		return provider.Settlement{Outcome: o, Detail: "the payment lists the operation"}
	}
	return provider.Settlement{Keep: true, Detail: "the payment does not list the operation"}
}

// ReverseUnknown sends Worldline's technical reversal for an operation
// whose answer was lost (reason TIMEOUT_WAITING_RESPONSE), journalled as
// its own row that follows e. Worldline undoes the operation if it
// arrived; if it never did, Worldline says it references an unknown
// transaction, and the row is settled as not processed.
func (Provider) ReverseUnknown(ctx context.Context, f *cmdutil.Factory, e journal.Entry) (provider.Settlement, bool) {
	if e.Operation == "operation reverse" {
		return provider.Settlement{Detail: "a technical reversal is not reversed again: repeat it with its own --operation-id " + e.Key}, false
	}
	var out bytes.Buffer
	rf, cmd, err := quiet(f, e, "operation reverse", &out)
	if err != nil {
		return provider.Settlement{Detail: err.Error()}, false
	}
	cmd.SetContext(ctx)
	runErr := (&TechnicalReversal{reason: "TIMEOUT_WAITING_RESPONSE"}).Run(cmd, rf, []string{e.Key})
	rf.Finish(runErr)
	code := exitcode.Of(runErr)
	j, v := rf.Result()
	if code != exitcode.OK {
		return provider.Settlement{Keep: true, Detail: fmt.Sprintf("the technical reversal failed (exit %d)", code)}, true
	}
	o := journal.Outcome{Status: journal.StatusReversed, Result: string(j),
		Reason: "reversed by bokuctl reconcile --reverse-unknown (technical reversal " + rf.Key() + ")"}
	detail := "reversed (--reverse-unknown)"
	if r, ok := v.(result); ok && r.FollowUpStatus() == journal.StatusFailed {
		o.Status, o.ExitCode = journal.StatusFailed, int(exitcode.Usage)
		o.Reason = "Worldline never received it (technical reversal " + rf.Key() + " answered 7204): not processed"
		detail = "never reached Worldline: not processed"
	}
	return provider.Settlement{Outcome: o, Detail: detail}, true
}
