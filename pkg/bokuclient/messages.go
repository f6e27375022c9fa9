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
