package acquiring

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// A 2xx answer is trusted only when it is a JSON object that carries the
// fields bokuctl reports from it. The SDKs mark no field required; the minimum below is what every documented answer
// of that kind carries and what a result cannot be shown without: the
// response code of every action, the id and status of a payment or
// refund, the result of a DCC quote.

// validator is implemented by the answers with required fields.
type validator interface{ missing() []string }

func need(pairs ...string) []string {
	var out []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			out = append(out, pairs[i])
		}
	}
	return out
}

func (r *PaymentResponse) missing() []string {
	return need("paymentId", r.PaymentID, "status", r.Status, "responseCode", r.ResponseCode)
}

func (r *PaymentResource) missing() []string {
	return need("paymentId", r.PaymentID, "status", r.Status)
}

func (r *ActionResponse) missing() []string { return need("responseCode", r.ResponseCode) }

func (r *ReversalResponse) missing() []string { return need("responseCode", r.ResponseCode) }

func (r *IncrementResponse) missing() []string { return need("responseCode", r.ResponseCode) }

func (r *ActionResponseForRefund) missing() []string { return need("responseCode", r.ResponseCode) }

func (r *RefundResponse) missing() []string {
	return need("refundId", r.RefundID, "status", r.Status, "responseCode", r.ResponseCode)
}

func (r *RefundResource) missing() []string {
	return need("refundId", r.RefundID, "status", r.Status)
}

func (r *AccountVerificationResponse) missing() []string { return need("responseCode", r.ResponseCode) }

func (r *TechnicalReversalResponse) missing() []string { return need("responseCode", r.ResponseCode) }

func (r *BalanceInquiryResponse) missing() []string { return need("responseCode", r.ResponseCode) }

func (r *DCCRateResponse) missing() []string { return need("result", r.Result) }

// errEmpty is a 2xx without a body.
var errEmpty = errors.New("the answer is empty")

// checkAnswer refuses a 2xx body that is not a JSON object, before it
// is decoded.
func checkAnswer(header http.Header, body []byte) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return errEmpty
	}
	mediaType, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if mediaType != "application/json" && !strings.HasSuffix(mediaType, "+json") {
		return fmt.Errorf("the answer is %q, not JSON", cmp.Or(header.Get("Content-Type"), "without a Content-Type"))
	}
	if bytes.Equal(trimmed, []byte("null")) {
		return errors.New("the answer is null")
	}
	if trimmed[0] != '{' {
		return errors.New("the answer is not a JSON object")
	}
	return nil
}

// checkFields reports the required fields out lacks.
func checkFields(out any) error {
	v, ok := out.(validator)
	if !ok {
		return nil
	}
	if missing := v.missing(); len(missing) > 0 {
		return fmt.Errorf("the answer has no %s", strings.Join(missing, ", "))
	}
	return nil
}
