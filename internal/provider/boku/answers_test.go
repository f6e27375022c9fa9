package boku

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/cmdutil/cmdutiltest"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

// Hand-written answers in the shape of Boku's spec (its examples, and
// schema-valid variants of them), served signed by a fake that answers
// each call with its body: what each answer makes of the commands.

const (
	answerMerchant = "gatewaymerchant"
	answerKeyID    = "k-1"
)

// canned answers call (the last path segment) with its body.
func canned(t *testing.T, bodies map[string]string) map[string]string {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		call := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		body, ok := bodies[call]
		if !ok {
			t.Errorf("unexpected call %s", call)
			w.WriteHeader(http.StatusNotFound)
			return
		}
		resp := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + body)
		p, _ := sign.Sign(sign.Message{Headers: []sign.Header{{Name: "Content-Type", Value: bokudirect.ContentType}}, Body: resp},
			[]byte(testKey), answerMerchant, answerKeyID, []string{"Content-Type"}, time.Now())
		w.Header().Set("X-SignedResponse", p.String())
		w.Header().Set("Content-Type", bokudirect.ContentType)
		w.Write(resp)
	}))
	t.Cleanup(server.Close)
	return profileEnv(server.URL)
}

func profileEnv(url string) map[string]string {
	return map[string]string{
		"BOKUCTL_BOKU_MERCHANT_ID": answerMerchant, "BOKUCTL_BOKU_KEY_ID": answerKeyID, "BOKUCTL_BOKU_COUNTRY": "jp",
		"BOKUCTL_BOKU_BASE_URL": url + "/boku/{country}", "BOKUCTL_BOKU_KEY": testKey, "BOKUCTL_PROVIDER": "boku",
	}
}

// handler is what the commands share: flags and Run.
type handler interface {
	AddFlags(*pflag.FlagSet)
	Run(*cobra.Command, *cmdutil.Factory, []string) error
}

// run runs h with args (flags first, then arguments) and returns its exit
// code, the JSON it printed (nil when none), and the error.
func run(t *testing.T, env map[string]string, h handler, args ...string) (exitcode.Code, map[string]any, error) {
	t.Helper()
	f, _ := cmdutiltest.Factory(t, env)
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	h.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cmd := &cobra.Command{}
	cmd.SetContext(t.Context())
	err := h.Run(cmd, f, fs.Args())
	var printed map[string]any
	if out := f.IO.Out.(*bytes.Buffer).Bytes(); len(out) > 0 {
		if jerr := json.Unmarshal(out, &printed); jerr != nil {
			t.Fatalf("output is not one JSON object: %v\n%s", jerr, out)
		}
	}
	return exitcode.Of(err), printed, err
}

const (
	okResult   = `<result status="OK"><reason-code>0</reason-code><message>Operation Successful</message><retriable>false</retriable></result>`
	foundOne   = `<result status="OK"><reason-code>0</reason-code><message>Found 1 result(s)</message><retriable>false</retriable></result>`
	chargeTail = `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><timestamp>2021-04-06 15:25:01</timestamp><merchant-id>gatewaymerchant</merchant-id>` +
		`<merchant-transaction-id>7dbe2a1f-b197-4390-8c8a-14d73f64a52d</merchant-transaction-id><country>JP</country><network-id>jp-super</network-id>` +
		`<currency>JPY</currency><merchant-item-description>Puzzle game</merchant-item-description>`
)

func queryCharge(inner string) map[string]string {
	return map[string]string{"query-charge": `<query-charge-response>` + foundOne + `<charges><charge>` + inner + `</charge></charges></query-charge-response>`}
}

func chargeAnswer(inner string) map[string]string {
	return map[string]string{"charge": `<charge-response>` + inner + `<timestamp>2021-04-06 15:25:01</timestamp><merchant-id>gatewaymerchant</merchant-id>` +
		`<merchant-request-id>r-1</merchant-request-id><merchant-transaction-id>r-1</merchant-transaction-id><optin-id>D4q4jgAAAABTRwAAAAAAAA</optin-id>` +
		`<country>JP</country><network-id>jp-super</network-id></charge-response>`}
}

func errorResult(code int, message string) string {
	return `<result status="ERROR"><reason-code>` + itoa(code) + `</reason-code><message>` + message + `</message><retriable>false</retriable></result>`
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func newChargeHandler(amount, currency string) *Charge {
	return NewCharge(&provider.AmountInput{Amount: amount, Currency: currency})
}

func TestChargeAnswers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bodies  map[string]string
		query   bool
		want    exitcode.Code
		status  string // the common status printed; "" = nothing printed
		stderrs string // in the error or its hint
	}{
		// Item 1: an OK answer that names no charge created none the
		// spec can vouch for: the outcome is unknown.
		{"charge OK naming no charge", chargeAnswer(okResult), false, exitcode.UnknownOutcome, "", "charge status --merchant-request-id r-1"},
		// Item 2: a resend of a reversed charge is answered 130, with
		// the charge's own status: it is reversed, not succeeded.
		{"charge resent after its reversal", chargeAnswer(errorResult(130, "Already reversed") + `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><charge-status>success</charge-status>`),
			false, exitcode.Declined, provider.StatusReversed, "130"},
		// Item 7: a final failure is 3 whatever its reason code.
		{"charge failed with 900", chargeAnswer(errorResult(900, "Internal operator Error") + `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><charge-status>failed</charge-status>`),
			false, exitcode.Declined, provider.StatusDeclined, "900"},
		{"charge failed with 35", chargeAnswer(errorResult(35, "Internal Boku error") + `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><charge-status>failed</charge-status>`),
			false, exitcode.Declined, provider.StatusDeclined, "35"},
		// Item 7: the spec's own "successs" is not a success.
		{"charge answered successs", chargeAnswer(okResult + `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><charge-status>successs</charge-status>`),
			false, exitcode.UnknownOutcome, "", "successs"},
		// A rejected charge (no charge created) keeps the table: 35 is "try later".
		{"charge rejected with 35", chargeAnswer(errorResult(35, "Internal Boku error")), false, exitcode.Unavailable, "", "35"},

		// Item 2: a queried charge with a <reversal> collected nothing.
		{"query of a reversed charge", queryCharge(okResult + `<charge-status>success</charge-status>` + chargeTail + `<total-amount>548.00</total-amount>` +
			`<reversal><reversal-id>1119929700437721088</reversal-id><timestamp>2021-04-06 16:39:13</timestamp></reversal>`),
			true, exitcode.Declined, provider.StatusReversed, "was reversed: nothing is collected"},
		// Item 7: the spec's example query answer, typo and all.
		{"query answered successs", queryCharge(okResult + `<charge-status>successs</charge-status>` + chargeTail + `<total-amount>548.00</total-amount>`),
			true, exitcode.Unavailable, provider.StatusUnknown, "successs"},
		{"query naming no status", queryCharge(okResult + chargeTail + `<total-amount>548.00</total-amount>`),
			true, exitcode.Unavailable, provider.StatusUnknown, "unusable"},
		{"query of a charge failed with 35", queryCharge(errorResult(35, "Internal Boku error") + `<charge-status>failed</charge-status>` + chargeTail + `<total-amount>548.00</total-amount>`),
			true, exitcode.Declined, provider.StatusDeclined, "35"},
		// Item 7: an amount JPY cannot carry is refused, not dropped.
		{"query with an amount JPY cannot carry", queryCharge(okResult + `<charge-status>success</charge-status>` + chargeTail + `<total-amount>548.50</total-amount>`),
			true, exitcode.Unavailable, "", "548.50"},
		{"the spec's single successful charge, spelled right", queryCharge(okResult + `<charge-status>success</charge-status>` + chargeTail + `<total-amount>548.00</total-amount>`),
			true, exitcode.OK, provider.StatusSucceeded, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := canned(t, tc.bodies)
			var (
				code    exitcode.Code
				printed map[string]any
				err     error
			)
			if tc.query {
				code, printed, err = run(t, env, &ChargeStatus{}, "72e6xii7srxdbf6ggkwkxwpk")
			} else {
				code, printed, err = run(t, env, newChargeHandler("548", "JPY"), "--optin-id", "D4q4jgAAAABTRwAAAAAAAA", "--merchant-request-id", "r-1")
			}
			if code != tc.want {
				t.Fatalf("exit %d (%v); want %d", code, err, tc.want)
			}
			if got, _ := printed["status"].(string); got != tc.status {
				t.Errorf("printed status %q; want %q (%v)", got, tc.status, printed)
			}
			if tc.stderrs != "" && !strings.Contains(err.Error()+" "+hintOf(err), tc.stderrs) {
				t.Errorf("error %q (hint %q) does not say %q", err, hintOf(err), tc.stderrs)
			}
		})
	}
}

func hintOf(err error) string {
	if h, ok := err.(exitcode.Hinter); ok {
		return h.HintText()
	}
	return ""
}

// Item 6: begin-single-charge answered OK/23, in progress as the spec's
// charge example: the consumer goes to the redirect URL next, exit 0.
func TestHostedChargeInProgressIsTheNormalAnswer(t *testing.T) {
	env := canned(t, map[string]string{"begin-single-charge": `<begin-single-charge-response>` +
		`<result status="OK"><reason-code>23</reason-code><message>Submitted and in progress</message><retriable>true</retriable><retry-delay>5000</retry-delay></result>` +
		`<timestamp>2021-04-06 15:25:01</timestamp><merchant-id>gatewaymerchant</merchant-id><merchant-request-id>r-1</merchant-request-id>` +
		`<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><charge-status>in-progress</charge-status><country>JP</country><payment-method>superwallet</payment-method>` +
		`<hosted><redirect-url>https://www.superwallet.com/authorize</redirect-url></hosted></begin-single-charge-response>`})
	code, printed, err := run(t, env, NewHostedCharge(&provider.AmountInput{Amount: "548", Currency: "JPY"}),
		"--payment-method", "superwallet", "--forward-url", "https://merchant.example/redirect", "--merchant-request-id", "r-1")
	if code != exitcode.OK {
		t.Fatalf("exit %d (%v); want 0", code, err)
	}
	if printed["status"] != provider.StatusPending || printed["redirect_url"] != "https://www.superwallet.com/authorize" {
		t.Errorf("printed %v", printed)
	}
}

// Item 2, against the spec-only fake: a charge sent again after its
// reversal is answered 130, and bokuctl does not call it succeeded.
func TestResendAfterReversalAgainstTheSpecFake(t *testing.T) {
	m := bokuspec.Merchant{ID: answerMerchant, KeyID: answerKeyID, Key: []byte(testKey)}
	fake := bokuspec.New(m)
	mux := http.NewServeMux() // mounted as the sandbox mounts it
	mux.Handle("/boku/", http.StripPrefix("/boku", fake))
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	env := profileEnv(server.URL)
	f, _ := cmdutiltest.Factory(t, env)
	session, err := NewSession(t.Context(), f, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	optin, err := session.Direct.Optin(ctx, bokudirect.OptinRequest{MerchantRequestID: "optin-1", PaymentMethod: "superwallet",
		Hosted: bokudirect.Hosted{ForwardURL: "https://merchant.example/done"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.ApproveOptin(optin.OptinID); err != nil {
		t.Fatal(err)
	}
	if _, err := session.Direct.ValidateOptin(ctx, bokudirect.ValidateOptinRequest{MerchantRequestID: "v-1", OptinID: optin.OptinID}); err != nil {
		t.Fatal(err)
	}
	if _, err := session.Direct.ConfirmOptin(ctx, bokudirect.ConfirmOptinRequest{MerchantRequestID: "c-1", OptinID: optin.OptinID}); err != nil {
		t.Fatal(err)
	}
	args := []string{"--optin-id", optin.OptinID, "--merchant-request-id", "order-1"}
	if code, printed, err := run(t, env, newChargeHandler("548", "JPY"), args...); code != exitcode.OK || printed["status"] != provider.StatusSucceeded {
		t.Fatalf("first charge: exit %d %v %v", code, printed, err)
	}
	if _, err := session.Direct.ReverseCharge(ctx, bokudirect.ReverseChargeRequest{MerchantRequestID: "order-1"}); err != nil {
		t.Fatal(err)
	}
	code, printed, err := run(t, env, newChargeHandler("548", "JPY"), args...)
	if code == exitcode.OK || printed["status"] == provider.StatusSucceeded {
		t.Fatalf("the resend after the reversal: exit %d, printed %v (%v); want reversed, not a success", code, printed, err)
	}
	if printed["status"] != provider.StatusReversed || printed["provider_code"] != "130" || code != exitcode.Declined {
		t.Errorf("the resend after the reversal: exit %d, printed %v", code, printed)
	}
	code, printed, err = run(t, env, &ChargeStatus{}, "--merchant-request-id", "order-1")
	if code != exitcode.Declined || printed["status"] != provider.StatusReversed {
		t.Errorf("charge status of the reversed charge: exit %d, printed %v (%v); want 3, reversed", code, printed, err)
	}
}

// Item 3: every refund under one merchant refund id is shown, and the
// exit code reflects them all: an earlier success does not hide behind a
// later failure.
func TestRefundStatusListsEveryMatch(t *testing.T) {
	refund := func(result, status, id string) string {
		return `<refund>` + result + `<refund-status>` + status + `</refund-status><refund-id>` + id + `</refund-id><timestamp>2021-04-06 16:27:18</timestamp>` +
			`<merchant-id>gatewaymerchant</merchant-id><merchant-refund-id>5853f0b3</merchant-refund-id><charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id>` +
			`<reason-code>20</reason-code><country>JP</country><network-id>jp-super</network-id><currency>JPY</currency><refund-amount>548.00</refund-amount>` +
			`<type>refund</type><merchant-transaction-id>7dbe2a1f</merchant-transaction-id></refund>`
	}
	success := refund(okResult, "success", "1119926629536104448")
	failed := refund(errorResult(900, "Internal operator Error"), "failed", "1119926629536104449")
	pending := refund(`<result status="OK"><reason-code>23</reason-code><message>In progress</message><retriable>true</retriable></result>`, "in-progress", "1119926629536104450")
	odd := refund(okResult, "successs", "1119926629536104451")
	for _, tc := range []struct {
		name    string
		refunds []string
		want    exitcode.Code
	}{
		{"an earlier success, a later failure", []string{success, failed}, exitcode.OK},
		{"a failure, then in progress", []string{failed, pending}, exitcode.Pending},
		{"failures only", []string{failed, failed}, exitcode.Declined},
		{"one the spec does not define", []string{success, odd}, exitcode.Unavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := canned(t, map[string]string{"query-refund": `<query-refund-response>` + okResult + `<refunds>` + strings.Join(tc.refunds, "") + `</refunds></query-refund-response>`})
			code, printed, err := run(t, env, &RefundStatus{}, "--merchant-refund-id", "5853f0b3")
			if code != tc.want {
				t.Fatalf("exit %d (%v); want %d", code, err, tc.want)
			}
			list, _ := printed["refunds"].([]any)
			if len(list) != len(tc.refunds) || printed["merchant_refund_id"] != "5853f0b3" {
				t.Fatalf("printed %v; want every one of the %d refunds", printed, len(tc.refunds))
			}
		})
	}
	// An amount the currency cannot carry is refused, not dropped.
	bad := strings.Replace(success, "548.00", "548.5", 1)
	env := canned(t, map[string]string{"query-refund": `<query-refund-response>` + okResult + `<refunds>` + bad + `</refunds></query-refund-response>`})
	if code, _, err := run(t, env, &RefundStatus{}, "1119926629536104448"); code != exitcode.Unavailable || !strings.Contains(err.Error(), "548.5") {
		t.Errorf("an amount JPY cannot carry: exit %d (%v); want 1 naming it", code, err)
	}
}

// Item 1: a refund answered OK without a refund-id is an unknown outcome.
func TestRefundOKNamingNoRefund(t *testing.T) {
	env := canned(t, map[string]string{"refund-charge": `<refund-charge-response>` + okResult + `<timestamp>2021-04-06 16:27:18</timestamp>` +
		`<merchant-id>gatewaymerchant</merchant-id><merchant-request-id>rf-1</merchant-request-id><charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id>` +
		`<refund-status>success</refund-status><country>JP</country></refund-charge-response>`})
	code, printed, err := run(t, env, NewRefund(&provider.AmountInput{}), "--reason", "fraud", "--merchant-refund-id", "rf-1", "72e6xii7srxdbf6ggkwkxwpk")
	if code != exitcode.UnknownOutcome || printed != nil || !strings.Contains(hintOf(err), "refund status --merchant-refund-id rf-1") {
		t.Fatalf("exit %d, printed %v (%v, hint %q); want 5 naming refund status", code, printed, err, hintOf(err))
	}
}

// Item 7, the list: a charge in it with a status the spec does not define
// makes the answer unusable (exit 1), printed as unknown.
func TestChargeListWithAnUnknownStatus(t *testing.T) {
	env := canned(t, queryCharge(okResult+`<charge-status>successs</charge-status>`+chargeTail+`<total-amount>548.00</total-amount>`))
	code, printed, err := run(t, env, &ChargeStatus{}, "--merchant-transaction-id", "7dbe2a1f-b197-4390-8c8a-14d73f64a52d")
	if code != exitcode.Unavailable {
		t.Fatalf("exit %d (%v); want 1", code, err)
	}
	list, _ := printed["charges"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["status"] != provider.StatusUnknown {
		t.Errorf("printed %v; want the charge, status unknown", printed)
	}
}
