package bokuclient

import (
	"github.com/bokuctl/bokuctl/pkg/bokudirect"

	"encoding/xml"
	"fmt"
	"regexp"
)

// Result is the common result element of every Boku response.
type Result struct {
	Status     string `xml:"status,attr" json:"status"`
	ReasonCode *int   `xml:"reason-code" json:"reason_code"`
	Message    string `xml:"message" json:"message,omitempty"`
	Retriable  bool   `xml:"retriable" json:"retriable"`
}

// OK reports whether Boku accepted the request.
func (r *Result) OK() bool { return r != nil && r.Status == "OK" }

// Reason returns the reason code, or -1 when absent.
func (r *Result) Reason() int {
	if r == nil || r.ReasonCode == nil {
		return -1
	}
	return *r.ReasonCode
}

// response is implemented by every response message.
type response interface {
	result() *Result
	// check reports a required element that is missing.
	check() error
}

func checkResult(r *Result) error {
	switch {
	case r == nil:
		return fmt.Errorf("missing <result>")
	case r.Status != "OK" && r.Status != "ERROR":
		return fmt.Errorf("<result status=%q> is neither OK nor ERROR", r.Status)
	case r.ReasonCode == nil:
		return fmt.Errorf("missing <reason-code> in <result>")
	}
	return nil
}

// requireAll returns an error naming the first empty element.
func requireAll(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fmt.Errorf("missing <%s>", pairs[i])
		}
	}
	return nil
}

// OptinRequest starts a consumer opt-in (POST /optin/3.0/optin).
type OptinRequest struct {
	XMLName           xml.Name `xml:"optin-request"`
	Country           string   `xml:"country"`
	MerchantID        string   `xml:"merchant-id"`
	MerchantRequestID string   `xml:"merchant-request-id"`
	MSISDN            string   `xml:"msisdn,omitempty"`
	PaymentMethod     string   `xml:"payment-method,omitempty"`
	OptinType         string   `xml:"optin-type"`
	ReturnURL         string   `xml:"return-url,omitempty"`
}

// OptinResponse answers an OptinRequest.
type OptinResponse struct {
	XMLName        xml.Name `xml:"optin-response"`
	Result         *Result  `xml:"result"`
	OptinRequestID string   `xml:"optin-request-id"`
	OptinState     string   `xml:"optin-state"`
	HostedURL      string   `xml:"hosted-url"`
	OTPSent        bool     `xml:"otp-sent"`
}

func (r *OptinResponse) result() *Result { return r.Result }
func (r *OptinResponse) check() error {
	if !r.Result.OK() {
		return nil
	}
	return requireAll("optin-request-id", r.OptinRequestID, "optin-state", r.OptinState)
}

// ConfirmOptinRequest completes an opt-in (POST /optin/3.0/confirm-optin).
type ConfirmOptinRequest struct {
	XMLName          xml.Name `xml:"confirm-optin-request"`
	MerchantID       string   `xml:"merchant-id"`
	OptinRequestID   string   `xml:"optin-request-id"`
	VerificationCode string   `xml:"verification-code,omitempty"`
}

// ConfirmOptinResponse answers a ConfirmOptinRequest.
type ConfirmOptinResponse struct {
	XMLName    xml.Name `xml:"confirm-optin-response"`
	Result     *Result  `xml:"result"`
	OptinID    string   `xml:"optin-id"`
	OptinState string   `xml:"optin-state"`
}

func (r *ConfirmOptinResponse) result() *Result { return r.Result }
func (r *ConfirmOptinResponse) check() error {
	if !r.Result.OK() {
		return nil
	}
	return requireAll("optin-id", r.OptinID, "optin-state", r.OptinState)
}

// QueryOptinRequest reads an opt-in's state (POST /optin/3.0/query-optin).
type QueryOptinRequest struct {
	XMLName        xml.Name `xml:"query-optin-request"`
	MerchantID     string   `xml:"merchant-id"`
	OptinID        string   `xml:"optin-id,omitempty"`
	OptinRequestID string   `xml:"optin-request-id,omitempty"`
}

// QueryOptinResponse answers a QueryOptinRequest.
type QueryOptinResponse struct {
	XMLName        xml.Name `xml:"query-optin-response"`
	Result         *Result  `xml:"result"`
	OptinID        string   `xml:"optin-id"`
	OptinRequestID string   `xml:"optin-request-id"`
	OptinState     string   `xml:"optin-state"`
	PaymentMethod  string   `xml:"payment-method"`
	Country        string   `xml:"country"`
}

func (r *QueryOptinResponse) result() *Result { return r.Result }
func (r *QueryOptinResponse) check() error {
	if !r.Result.OK() {
		return nil
	}
	return requireAll("optin-state", r.OptinState)
}

// CancelOptinRequest ends an opt-in (POST /optin/3.0/cancel-optin).
type CancelOptinRequest struct {
	XMLName    xml.Name `xml:"cancel-optin-request"`
	MerchantID string   `xml:"merchant-id"`
	OptinID    string   `xml:"optin-id"`
}

// CancelOptinResponse answers a CancelOptinRequest.
type CancelOptinResponse struct {
	XMLName    xml.Name `xml:"cancel-optin-response"`
	Result     *Result  `xml:"result"`
	OptinID    string   `xml:"optin-id"`
	OptinState string   `xml:"optin-state"`
}

func (r *CancelOptinResponse) result() *Result { return r.Result }
func (r *CancelOptinResponse) check() error {
	if !r.Result.OK() {
		return nil
	}
	return requireAll("optin-state", r.OptinState)
}

// minorUnits converts a decimal amount Boku sent into minor units of
// currency; a missing amount is an error.
func minorUnits(element, text, currency string) (*int64, error) {
	if text == "" {
		return nil, fmt.Errorf("missing <%s>", element)
	}
	a, err := bokudirect.ParseWireAmount(text, currency)
	if err != nil {
		return nil, fmt.Errorf("<%s>: %v", element, err)
	}
	return &a.MinorUnits, nil
}

// ForexRequest asks for an exchange rate (POST /billing/3.0/forex). Amount
// is optional, a decimal in major units of FromCurrency.
type ForexRequest struct {
	XMLName      xml.Name `xml:"forex-request"`
	MerchantID   string   `xml:"merchant-id"`
	Country      string   `xml:"country"`
	FromCurrency string   `xml:"from-currency"`
	ToCurrency   string   `xml:"to-currency"`
	Amount       string   `xml:"amount,omitempty"`
}

// ForexResponse carries the rate as an exact decimal string and, when an
// amount was given, the converted amount (a decimal; ConvertedAmount holds
// it in minor units of ToCurrency, set by check).
type ForexResponse struct {
	XMLName             xml.Name `xml:"forex-response"`
	Result              *Result  `xml:"result"`
	FromCurrency        string   `xml:"from-currency"`
	ToCurrency          string   `xml:"to-currency"`
	Rate                string   `xml:"rate"`
	ConvertedAmountText string   `xml:"converted-amount"`
	ConvertedAmount     *int64   `xml:"-"`
	ValidUntil          string   `xml:"valid-until"`
}

var decimalPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

func (r *ForexResponse) result() *Result { return r.Result }
func (r *ForexResponse) check() error {
	if !r.Result.OK() {
		return nil
	}
	if err := requireAll("rate", r.Rate); err != nil {
		return err
	}
	if !decimalPattern.MatchString(r.Rate) {
		return fmt.Errorf("<rate> %q is not a plain decimal", r.Rate)
	}
	if r.ConvertedAmountText != "" {
		var err error
		r.ConvertedAmount, err = minorUnits("converted-amount", r.ConvertedAmountText, r.ToCurrency)
		return err
	}
	return nil
}

// FundCheckRequest asks whether an opted-in method can pay an amount
// (POST /billing/3.0/fund-check).
type FundCheckRequest struct {
	XMLName     xml.Name `xml:"fund-check-request"`
	MerchantID  string   `xml:"merchant-id"`
	Country     string   `xml:"country"`
	OptinID     string   `xml:"optin-id"`
	Currency    string   `xml:"currency"`
	TotalAmount string   `xml:"total-amount"`
}

// FundCheckResponse answers a FundCheckRequest.
type FundCheckResponse struct {
	XMLName    xml.Name `xml:"fund-check-response"`
	Result     *Result  `xml:"result"`
	Sufficient *bool    `xml:"sufficient"`
	Reason     string   `xml:"reason"`
}

func (r *FundCheckResponse) result() *Result { return r.Result }
func (r *FundCheckResponse) check() error {
	if r.Result.OK() && r.Sufficient == nil {
		return fmt.Errorf("missing <sufficient>")
	}
	return nil
}
