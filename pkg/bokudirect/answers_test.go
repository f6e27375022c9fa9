package bokudirect

import (
	"context"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Spec-shaped answers (hand-written from the spec's schemas and examples)
// that are well-formed XML but unusable: each must end in the exit code
// that says so, never in a success.
func TestUnusableAnswers(t *testing.T) {
	const okResult = `<result status="OK"><reason-code>0</reason-code><message>Operation Successful</message><retriable>false</retriable></result>`
	const noCode = `<result status="OK"><message>Operation Successful</message><retriable>false</retriable></result>`
	charge := func(inner string) string {
		return `<charge-response>` + inner + `<merchant-id>gatewaymerchant</merchant-id><merchant-request-id>r1</merchant-request-id><optin-id>D4q4jgAAAABTRwAAAAAAAA</optin-id></charge-response>`
	}
	refund := func(inner string) string {
		return `<refund-charge-response>` + inner + `<merchant-id>gatewaymerchant</merchant-id><merchant-request-id>r1</merchant-request-id><charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id></refund-charge-response>`
	}
	query := func(inner string) string {
		return `<query-charge-response>` + okResult + `<charges><charge>` + inner + `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><currency>JPY</currency><total-amount>548.00</total-amount></charge></charges></query-charge-response>`
	}
	for _, tc := range []struct {
		name, call, body string
		want             exitcode.Code
		says             string
	}{
		{"charge OK naming no charge", "charge", charge(okResult), exitcode.UnknownOutcome, "names no charge"},
		{"charge OK with an id and no status", "charge", charge(okResult + `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id>`), exitcode.UnknownOutcome, "without a charge-status"},
		{"charge 23 naming no charge", "charge", charge(`<result status="OK"><reason-code>23</reason-code><message>Submitted and in progress</message><retriable>true</retriable><retry-delay>5000</retry-delay></result>`), exitcode.UnknownOutcome, "names no charge"},
		{"charge with the spec's successs", "charge", charge(okResult + `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><charge-status>successs</charge-status>`), exitcode.UnknownOutcome, `"successs"`},
		{"charge result without reason-code", "charge", charge(noCode + `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><charge-status>success</charge-status>`), exitcode.UnknownOutcome, "no reason-code"},
		{"refund OK naming no refund", "refund", refund(okResult + `<refund-status>success</refund-status>`), exitcode.UnknownOutcome, "names no refund"},
		{"refund with an unknown status", "refund", refund(okResult + `<refund-id>1119926629536104448</refund-id><refund-status>done</refund-status>`), exitcode.UnknownOutcome, `"done"`},
		{"query result without reason-code", "query", strings.Replace(query(okResult), okResult, noCode, 1), exitcode.Unavailable, "no reason-code"},
		{"queried charge without reason-code", "query", query(noCode + `<charge-status>success</charge-status>`), exitcode.Unavailable, "no reason-code"},
		{"a definite ERROR naming no charge", "charge", charge(`<result status="ERROR"><reason-code>126</reason-code><message>Optin not active</message><retriable>false</retriable></result>`), exitcode.Declined, "126"},
		{"a good charge", "charge", charge(okResult + `<charge-id>72e6xii7srxdbf6ggkwkxwpk</charge-id><charge-status>success</charge-status>`), exitcode.OK, ""},
		{"a good query", "query", query(okResult + `<charge-status>success</charge-status>`), exitcode.OK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, &server{t: t, raw: `<?xml version="1.0" encoding="UTF-8"?>` + tc.body})
			var err error
			switch tc.call {
			case "charge":
				_, err = c.Charge(context.Background(), ChargeRequest{MerchantRequestID: "r1", TotalAmount: "548", Currency: "JPY"})
			case "refund":
				_, err = c.RefundCharge(context.Background(), RefundChargeRequest{MerchantRequestID: "r1", MerchantRefundID: "r1", ChargeID: "72e6xii7srxdbf6ggkwkxwpk", ReasonCode: 20})
			case "query":
				_, err = c.QueryCharge(context.Background(), QueryChargeRequest{ChargeID: "72e6xii7srxdbf6ggkwkxwpk"})
			}
			if got := exitcode.Of(err); got != tc.want {
				t.Fatalf("exit %d (%v); want %d", got, err, tc.want)
			}
			if tc.says != "" && !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
}

// validate-optin's 136 (the spec: "the consumer and therefore the
// referenced opt-in record is not yet verified") is pending, exit 8: the
// consumer is not back yet. confirm-optin's 137 is a refusal, exit 3.
func TestOptinNotYetVerified(t *testing.T) {
	answer := func(root string, code int) string {
		return `<?xml version="1.0" encoding="UTF-8"?><` + root + `><result status="ERROR"><reason-code>` + map[int]string{136: "136", 137: "137"}[code] +
			`</reason-code><message>Not yet verified</message><retriable>false</retriable></result><merchant-id>gatewaymerchant</merchant-id>` +
			`<merchant-request-id>r1</merchant-request-id><optin-id>D4q4jgAAAABTRwAAAAAAAA</optin-id></` + root + `>`
	}
	c := newClient(t, &server{t: t, raw: answer("validate-optin-response", 136)})
	if _, err := c.ValidateOptin(context.Background(), ValidateOptinRequest{MerchantRequestID: "r1", OptinID: "D4q4jgAAAABTRwAAAAAAAA"}); exitcode.Of(err) != exitcode.Pending {
		t.Errorf("validate-optin 136: exit %d (%v); want 8", exitcode.Of(err), err)
	}
	for _, code := range []int{136, 137} {
		c := newClient(t, &server{t: t, raw: answer("confirm-optin-response", code)})
		if _, err := c.ConfirmOptin(context.Background(), ConfirmOptinRequest{MerchantRequestID: "r1", OptinID: "D4q4jgAAAABTRwAAAAAAAA"}); exitcode.Of(err) != exitcode.Declined {
			t.Errorf("confirm-optin %d: exit %d (%v); want 3", code, exitcode.Of(err), err)
		}
	}
}
