package bokuspec_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bokuctl/bokuctl/internal/sandbox/bokuspec"
	"github.com/bokuctl/bokuctl/pkg/bokudirect"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
)

// The client (pkg/bokudirect) and this fake were written from Boku's spec
// by different authors. Driving one with the other checks both readings:
// a disagreement here is a question for the spec, not for either side.

func crossClient(t *testing.T) (*bokudirect.Client, *bokuspec.Server) {
	t.Helper()
	m := bokuspec.Merchant{ID: "gatewaymerchant", KeyID: "k1", Key: []byte("cross-check-key")}
	fake := bokuspec.New(m)
	mux := http.NewServeMux() // mounted as the sandbox mounts it
	mux.Handle("/boku/", http.StripPrefix("/boku", fake))
	mux.Handle("/consent/", fake)
	mux.Handle("/merchant-api/", fake)
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	c, err := bokudirect.New(bokudirect.Config{MerchantID: m.ID, KeyID: m.KeyID, Key: m.Key, Country: "jp", BaseURL: server.URL + "/boku/{country}"})
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

func amount(t *testing.T, v, currency string) money.Amount {
	t.Helper()
	a, err := money.ParsePositive(v, currency)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestClientAndFakeAgreeOnTheHostedOptinChargeRefundAndReversal(t *testing.T) {
	ctx := context.Background()
	c, fake := crossClient(t)

	optin, err := c.Optin(ctx, bokudirect.OptinRequest{MerchantRequestID: "optin-1", PaymentMethod: "superwallet",
		Hosted: bokudirect.Hosted{ForwardURL: "https://merchant.example/done"}})
	if err != nil || optin.OptinID == "" || optin.OptinState == nil || optin.OptinState.Status != "pending-validate" || optin.OptinURL == "" {
		t.Fatalf("optin: %+v %v", optin, err)
	}
	if err := fake.ApproveOptin(optin.OptinID); err != nil {
		t.Fatal(err)
	}
	v, err := c.ValidateOptin(ctx, bokudirect.ValidateOptinRequest{MerchantRequestID: "validate-1", OptinID: optin.OptinID})
	if err != nil || v.OptinState == nil || v.OptinState.Status != "pending-confirm" {
		t.Fatalf("validate: %+v %v", v, err)
	}
	conf, err := c.ConfirmOptin(ctx, bokudirect.ConfirmOptinRequest{MerchantRequestID: "confirm-1", OptinID: optin.OptinID})
	if err != nil || conf.OptinState == nil || conf.OptinState.Status != "active" {
		t.Fatalf("confirm: %+v %v", conf, err)
	}
	q, err := c.QueryOptin(ctx, bokudirect.QueryOptinRequest{MerchantRequestID: "query-1", OptinID: optin.OptinID})
	if err != nil || q.OptinState == nil || q.OptinState.Status != "active" {
		t.Fatalf("query-optin (inferred on both sides): %+v %v", q, err)
	}

	price := amount(t, "548", "JPY")
	charge, err := c.Charge(ctx, bokudirect.ChargeRequest{MerchantRequestID: "charge-1", MerchantTransactionID: "order-1",
		MerchantItemDescription: "Puzzle game", OptinID: optin.OptinID, Currency: "JPY", TotalAmount: bokudirect.WireAmount(price),
		Timeout: &bokudirect.Timeout{After: 10000}})
	if err != nil || charge.ChargeID == "" || charge.ChargeStatus != "success" {
		t.Fatalf("charge: %+v %v", charge, err)
	}
	again, err := c.Charge(ctx, bokudirect.ChargeRequest{MerchantRequestID: "charge-1", MerchantTransactionID: "order-1",
		MerchantItemDescription: "Puzzle game", OptinID: optin.OptinID, Currency: "JPY", TotalAmount: "548.00"})
	if err != nil || again.ChargeID != charge.ChargeID {
		t.Fatalf("idempotent resend: %+v %v", again, err)
	}
	_, err = c.Charge(ctx, bokudirect.ChargeRequest{MerchantRequestID: "charge-1", MerchantTransactionID: "order-1",
		MerchantItemDescription: "Puzzle game", OptinID: optin.OptinID, Currency: "JPY", TotalAmount: "549"})
	var api *bokudirect.APIError
	if !errors.As(err, &api) || api.Result.ReasonCode != bokudirect.ReasonConflictingID || exitcode.Of(err) != exitcode.Usage {
		t.Fatalf("a conflicting resend: %v", err)
	}

	found, err := c.QueryCharge(ctx, bokudirect.QueryChargeRequest{MerchantRequestID: "charge-1"})
	if err != nil || len(found.Charges) != 1 {
		t.Fatalf("query-charge: %+v %v", found, err)
	}
	got, err := bokudirect.ParseWireAmount(found.Charges[0].TotalAmount, found.Charges[0].Currency)
	if err != nil || got.MinorUnits != 548 {
		t.Fatalf("queried amount %q %s: %v", found.Charges[0].TotalAmount, found.Charges[0].Currency, err)
	}

	fraud, _ := bokudirect.RefundReason("fraud")
	part := amount(t, "100", "JPY")
	refund, err := c.RefundCharge(ctx, bokudirect.RefundChargeRequest{MerchantRequestID: "refund-1", MerchantRefundID: "refund-1",
		ChargeID: charge.ChargeID, ReasonCode: fraud, Currency: "JPY", RefundAmount: bokudirect.WireAmount(part)})
	if err != nil || refund.RefundID == "" || refund.RefundStatus != "success" {
		t.Fatalf("refund: %+v %v", refund, err)
	}
	_, err = c.RefundCharge(ctx, bokudirect.RefundChargeRequest{MerchantRequestID: "refund-2", MerchantRefundID: "refund-2",
		ChargeID: charge.ChargeID, ReasonCode: fraud, Currency: "JPY", RefundAmount: "449"})
	if !errors.As(err, &api) || api.Result.ReasonCode != 146 || exitcode.Of(err) != exitcode.Declined {
		t.Fatalf("a refund over what is left: %v", err)
	}
	refunds, err := c.QueryRefund(ctx, bokudirect.QueryRefundRequest{MerchantRefundID: "refund-1"})
	if err != nil || len(refunds.Refunds) != 1 || refunds.Refunds[0].Type != "refund" || refunds.Refunds[0].ReasonCode != fraud {
		t.Fatalf("query-refund: %+v %v", refunds, err)
	}

	second, err := c.Charge(ctx, bokudirect.ChargeRequest{MerchantRequestID: "charge-2", MerchantTransactionID: "order-2",
		MerchantItemDescription: "Puzzle game", OptinID: optin.OptinID, Currency: "JPY", TotalAmount: "100"})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := c.ReverseCharge(ctx, bokudirect.ReverseChargeRequest{MerchantRequestID: "charge-2"})
	if err != nil || rev.ReversalID == "" || rev.ChargeID != second.ChargeID {
		t.Fatalf("reverse-charge: %+v %v", rev, err)
	}
	found, err = c.QueryCharge(ctx, bokudirect.QueryChargeRequest{ChargeID: second.ChargeID})
	if err != nil || len(found.Charges) != 1 || found.Charges[0].Reversal == nil || found.Charges[0].Reversal.ReversalID != rev.ReversalID {
		t.Fatalf("query-charge after the reversal: %+v %v", found, err)
	}

	if _, err := c.CancelOptin(ctx, bokudirect.CancelOptinRequest{MerchantRequestID: "cancel-1", OptinID: optin.OptinID}); err != nil {
		t.Fatalf("cancel: %v", err)
	}
}

func TestClientAndFakeAgreeOnTheHostedSingleCharge(t *testing.T) {
	ctx := context.Background()
	c, fake := crossClient(t)
	begun, err := c.BeginSingleCharge(ctx, bokudirect.BeginSingleChargeRequest{MerchantRequestID: "single-1", MerchantItemDescription: "Puzzle game",
		Currency: "JPY", TotalAmount: "548", PaymentMethod: "superwallet", ChargeType: "hosted",
		Hosted: bokudirect.Hosted{ForwardURL: "https://merchant.example/paid"}})
	var api *bokudirect.APIError
	if err != nil && !(errors.As(err, &api) && api.Result.ReasonCode == bokudirect.ReasonInProgress) {
		t.Fatalf("begin-single-charge: %v", err)
	}
	if begun.ChargeID == "" || begun.RedirectURL == "" {
		t.Fatalf("begin-single-charge: %+v", begun)
	}
	if err := fake.CompleteSingleCharge(begun.ChargeID, 0); err != nil {
		t.Fatal(err)
	}
	found, err := c.QueryCharge(ctx, bokudirect.QueryChargeRequest{ChargeID: begun.ChargeID})
	if err != nil || len(found.Charges) != 1 || found.Charges[0].ChargeStatus != "success" {
		t.Fatalf("query after the consumer authorized: %+v %v", found, err)
	}
}

func TestClientAndFakeAgreeOnFailures(t *testing.T) {
	ctx := context.Background()
	c, fake := crossClient(t)
	// Found 0: OK with no charge.
	found, err := c.QueryCharge(ctx, bokudirect.QueryChargeRequest{ChargeID: "nope"})
	if err != nil || len(found.Charges) != 0 {
		t.Fatalf("found 0: %+v %v", found, err)
	}
	// An opt-in that does not exist: 125, exit 2.
	_, err = c.Charge(ctx, bokudirect.ChargeRequest{MerchantRequestID: "c-1", MerchantTransactionID: "c-1", MerchantItemDescription: "x",
		OptinID: "unknown-optin", Currency: "JPY", TotalAmount: "1"})
	if exitcode.Of(err) != exitcode.Usage {
		t.Fatalf("charge of an unknown opt-in: %v (exit %d)", err, exitcode.Of(err))
	}
	// A 503 from Boku is unavailable for a read-only call.
	fake.FailNext(1)
	if _, err := c.QueryCharge(ctx, bokudirect.QueryChargeRequest{ChargeID: "x"}); exitcode.Of(err) != exitcode.Unavailable {
		t.Fatalf("503: %v", err)
	}
	// A client with another key: 401, exit 4.
	other, _ := bokudirect.New(bokudirect.Config{MerchantID: "gatewaymerchant", KeyID: "k1", Key: []byte("wrong"), Country: "jp", BaseURL: c.BaseURL()})
	if _, err := other.QueryCharge(ctx, bokudirect.QueryChargeRequest{ChargeID: "x"}); exitcode.Of(err) != exitcode.Auth {
		t.Fatalf("wrong key: %v", err)
	}
}
