package worldline

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bokuctl/bokuctl/internal/sandbox/worldline"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// sandboxSession is a Session on a fresh Worldline fake.
func sandboxSession(t *testing.T) *Session {
	t.Helper()
	fake := worldline.New("100812", "520002526", worldline.Client{ID: "c", Secret: "s", Scopes: []string{
		"processing_payment", "processing_refund", "processing_accountverification", "processing_operation_reverse",
		"processing_dcc_rate", "processing_balanceinquiry", "services_ping"}})
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	client, err := acquiring.New(acquiring.Config{APIURL: server.URL, TokenURL: server.URL + "/connect/token",
		AcquirerID: "100812", MerchantID: "520002526", ClientID: "c", ClientSecret: "s", Integrator: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return &Session{Client: client}
}

func paymentRequest(operationID string, minor int64) acquiring.PaymentRequest {
	capture := false
	return acquiring.PaymentRequest{
		Amount: acquiring.AmountData{Amount: minor, CurrencyCode: "EUR", NumberOfDecimals: 2}, AuthorizationType: "PRE_AUTHORIZATION",
		CardPaymentData: acquiring.CardPaymentData{CaptureImmediately: &capture, CardEntryMode: "ECOMMERCE", CardholderVerificationMethod: "CARD_SECURITY_CODE",
			CardData: &acquiring.PlainCardData{CardNumber: worldline.CardApproved, CardSecurityCode: "012", ExpiryDate: "122031"}},
		OperationID: operationID, TransactionTimestamp: acquiring.Timestamp(time.Now()),
	}
}

func reverse(t *testing.T, s *Session, operationID string) *acquiring.TechnicalReversalResponse {
	t.Helper()
	resp, err := s.Client.TechnicalReversal(context.Background(), operationID, acquiring.TechnicalReversalRequest{
		OperationID: "tr-" + operationID, Reason: "TIMEOUT_WAITING_RESPONSE", TransactionTimestamp: acquiring.Timestamp(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// 7204 is not a reversal: Worldline never received the operation.
func TestTechnicalReversalOfUnknownOperation(t *testing.T) {
	s := sandboxSession(t)
	resp := reverse(t, s, "op-never-sent")
	if resp.ResponseCode != "7204" || resp.ResponseCodeCategory != "APPROVED" || resp.ResponseCodeDescription != "Message stored, not forwarded: referencing unknown trx" {
		t.Fatalf("the fake answered %+v, want 7204 APPROVED as the reference shows", resp.ResponseCodes)
	}
	if !resp.UnknownOperation() || resp.Reversed() {
		t.Fatalf("UnknownOperation %v, Reversed %v", resp.UnknownOperation(), resp.Reversed())
	}
	r := technicalReversalResult("op-never-sent", "tr-op-never-sent", resp)
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"reversed_operation_id":"op-never-sent"`, `"reversed":false`,
		`"message":"Worldline never received operation op-never-sent: nothing was charged and nothing was reversed"`, `"provider_code":"7204"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("result %s lacks %s", data, want)
		}
	}
	if strings.Contains(string(data), `"reversed":true`) || strings.Contains(string(data), `"message":"operation op-never-sent was reversed"`) {
		t.Errorf("result %s says reversed", data)
	}
}

// A technical reversal of an operation Worldline knows is a reversal.
func TestTechnicalReversalOfKnownOperation(t *testing.T) {
	s := sandboxSession(t)
	created, err := s.CreatePayment(context.Background(), paymentRequest("op-known", 1000), false)
	if err != nil {
		t.Fatal(err)
	}
	resp := reverse(t, s, "op-known")
	if resp.ResponseCode != "0" || !resp.Reversed() || resp.UnknownOperation() {
		t.Fatalf("reversal of a known operation: %+v", resp.ResponseCodes)
	}
	r := technicalReversalResult("op-known", "tr-op-known", resp)
	if r.Reversed == nil || !*r.Reversed || r.Message != "operation op-known was reversed" {
		t.Fatalf("result %+v", r)
	}
	p, err := s.Client.GetPayment(context.Background(), created.Response.PaymentID, false)
	if err != nil || p.Status != "CANCELLED" {
		t.Fatalf("payment after the reversal: %+v %v", p, err)
	}
}

// A create payment repeated under an operation id that was sent before
// may get the first answer again, stale: with sentBefore the current
// status is read and reported.
func TestCreatePaymentSentBeforeReportsCurrentStatus(t *testing.T) {
	ctx := context.Background()
	for _, undo := range []string{"authorization reversal", "technical reversal"} {
		s := sandboxSession(t)
		req := paymentRequest("op-replay", 2500)
		first, err := s.CreatePayment(ctx, req, false)
		if err != nil || first.Response.Status != "AUTHORIZED" || first.Current != nil {
			t.Fatalf("first answer: %+v %v", first, err)
		}
		want := "REVERSED"
		if undo == "technical reversal" {
			reverse(t, s, "op-replay")
			want = "CANCELLED"
		} else if _, err := s.Client.ReverseAuthorization(ctx, first.Response.PaymentID, acquiring.PaymentReversalRequest{
			OperationID: "op-rev", TransactionTimestamp: acquiring.Timestamp(time.Now())}); err != nil {
			t.Fatal(err)
		}

		// Without sentBefore the answer is taken as it comes: stale.
		stale, err := s.CreatePayment(ctx, req, false)
		if err != nil || stale.Response.Status != "AUTHORIZED" || stale.Response.PaymentID != first.Response.PaymentID {
			t.Fatalf("%s: replayed answer %+v %v", undo, stale.Response, err)
		}

		again, err := s.CreatePayment(ctx, req, true)
		if err != nil {
			t.Fatal(err)
		}
		if again.Current == nil || again.Current.Status != want {
			t.Fatalf("%s: current %+v, want %s", undo, again.Current, want)
		}
		r := paymentResult(again, req, "0104")
		if r.Status != want || r.PaymentID != first.Response.PaymentID {
			t.Errorf("%s: result status %s, want %s", undo, r.Status, want)
		}
		if want := "operation id op-replay was sent before: the answer was AUTHORIZED, and payment " + first.Response.PaymentID + " is " + want + " now"; r.Message != want {
			t.Errorf("%s: message %q, want %q", undo, r.Message, want)
		}
		data, _ := json.Marshal(r)
		if strings.Contains(string(data), `"status":"authorized"`) {
			t.Errorf("%s: result %s still says authorized", undo, data)
		}
		if err := replayedUndone(again, req.OperationID); exitcode.Of(err) != exitcode.Declined || !strings.Contains(err.Error(), "is "+want+" now: nothing is charged under that id") {
			t.Errorf("%s: exit %d %v, want 3", undo, exitcode.Of(err), err)
		}
	}
}

// The same operation id with a different request is refused: exit 2,
// and the message says it was not processed.
func TestOperationIDReusedForAnotherRequest(t *testing.T) {
	s := sandboxSession(t)
	if _, err := s.CreatePayment(context.Background(), paymentRequest("op-twice", 1000), false); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreatePayment(context.Background(), paymentRequest("op-twice", 2000), false)
	if exitcode.Of(err) != exitcode.Usage || err.Error() != "operation id op-twice was already used for a different request: Worldline refused this one, nothing was processed" {
		t.Fatalf("reused operation id: exit %d %v", exitcode.Of(err), err)
	}
	if hint := exitcode.HintOf(err); !strings.Contains(hint, "says nothing about the request first sent under that id") {
		t.Errorf("hint %q", hint)
	}
}

// A 409 for a request whose operationId is still being processed is not a
// refusal: the first request may yet complete (exit 5, retry with the same
// id); a 409 for the payment's state is (exit 3).
func TestConflictInProgressIsUnknownStateIsDeclined(t *testing.T) {
	s := sandboxSession(t)
	_, err := s.CreatePayment(context.Background(), paymentRequest("op-busy", worldline.AmountInProgress), false)
	if exitcode.Of(err) != exitcode.UnknownOutcome || !strings.Contains(err.Error(), "operation id op-busy is still being processed") {
		t.Fatalf("in progress: exit %d %v", exitcode.Of(err), err)
	}
	if hint := exitcode.HintOf(err); !strings.Contains(hint, "same --operation-id op-busy") || !strings.Contains(hint, "bokuctl operation reverse op-busy") {
		t.Errorf("hint %q", hint)
	}
	made, err := s.CreatePayment(context.Background(), paymentRequest("op-rev", 1000), false)
	if err != nil {
		t.Fatal(err)
	}
	id := made.Response.PaymentID
	if _, err := s.Client.ReverseAuthorization(context.Background(), id, acquiring.PaymentReversalRequest{OperationID: "rev-1", TransactionTimestamp: acquiring.Timestamp(time.Now())}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Client.CapturePayment(context.Background(), id, acquiring.CaptureRequest{OperationID: "cap-1", TransactionTimestamp: acquiring.Timestamp(time.Now())})
	if err = Explain(err, "status"); exitcode.Of(err) != exitcode.Declined {
		t.Fatalf("capture of a reversed authorization: exit %d %v", exitcode.Of(err), err)
	}
}
