package worldline

import (
	"encoding/json"
	"fmt"
	"math/big"
	"path/filepath"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/acquiring"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
)

// dccPayment is the dynamic currency conversion of a payment charged from
// this machine with charge --dcc-rate-ref. Worldline's models say a
// capture's, increment's, authorization reversal's and refund's
// dynamicCurrencyConversion is "Mandatory for DCC transactions", and GET
// payment does not return a payment's DCC, so bokuctl keeps it here for
// those follow-ups. Kept without a lifetime: a refund may come months
// later.
type dccPayment struct {
	PaymentID          string `json:"payment_id"`
	Currency           string `json:"currency"`
	Digits             int32  `json:"number_of_decimals"`
	CardholderCurrency string `json:"cardholder_currency"`
	CardholderDigits   int32  `json:"cardholder_number_of_decimals"`
	Rate               string `json:"rate"`
	RateReferenceID    string `json:"rate_reference_id"`
	Profile            string `json:"profile"`
}

// dccPaymentsPath is the file of DCC payments, beside the quotes.
func dccPaymentsPath(f *cmdutil.Factory) (string, error) {
	quotes, err := quotesPath(f)
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(quotes), "dcc-payments.json"), nil
}

// saveDCCPayment keeps p, under the lock so that concurrent runs keep
// every payment.
func saveDCCPayment(f *cmdutil.Factory, p dccPayment) error {
	path, err := dccPaymentsPath(f)
	if err != nil {
		return err
	}
	return updateMap(path, func(payments map[string]dccPayment, readErr error) (map[string]dccPayment, error) {
		if readErr != nil {
			return nil, fmt.Errorf("cannot read %s: %v", path, readErr)
		}
		payments[p.PaymentID] = p
		return payments, nil
	})
}

// findDCCPayment is the DCC of paymentID if it was charged with DCC from
// this machine.
func findDCCPayment(f *cmdutil.Factory, paymentID string) (dccPayment, bool, error) {
	path, err := dccPaymentsPath(f)
	if err != nil {
		return dccPayment{}, false, err
	}
	payments, err := loadMap[dccPayment](path)
	if err != nil {
		return dccPayment{}, false, exitcode.New(exitcode.Unexpected, "cannot read the DCC payments in %s: %v; nothing was sent", path, err)
	}
	p, ok := payments[paymentID]
	return p, ok, nil
}

// needAmount is the usage error for a follow-up of a DCC payment without
// --amount: the converted amount Worldline requires cannot be computed
// from an amount bokuctl does not know.
func (p dccPayment) needAmount(what string) error {
	return exitcode.New(exitcode.Usage, "payment %s was paid in the cardholder's currency (DCC: %s at %s): %s needs --amount and --currency, so that the converted amount Worldline requires can be sent; nothing was sent", p.PaymentID, p.CardholderCurrency, p.Rate, what).
		WithHint("give the amount in %s, e.g. --amount 10.00 --currency %s", p.Currency, p.Currency)
}

// follow is the dynamicCurrencyConversion of an operation of minor units
// (in the payment's currency) on the payment: its rate and currency, and
// the amount converted at that rate, rounded half up into the
// cardholder currency's decimals [inferred: Worldline does not publish
// the rounding; the sandbox checks the same].
func (p dccPayment) follow(a acquiring.AmountData) (*acquiring.DccData, error) {
	if a.CurrencyCode != p.Currency {
		return nil, exitcode.New(exitcode.Usage, "--currency %s: payment %s is in %s; nothing was sent", a.CurrencyCode, p.PaymentID, p.Currency)
	}
	converted, err := convertMinor(a.Amount, int(a.NumberOfDecimals), int(p.CardholderDigits), p.Rate)
	if err != nil {
		return nil, err
	}
	return &acquiring.DccData{Amount: converted, ConversionRate: json.Number(p.Rate), CurrencyCode: p.CardholderCurrency, NumberOfDecimals: p.CardholderDigits}, nil
}

// convertMinor converts minor units at rate (a decimal string), exactly
// (big.Rat, never float64), rounding half up into toExp decimals.
func convertMinor(minor int64, fromExp, toExp int, rate string) (int64, error) {
	r, ok := new(big.Rat).SetString(rate)
	if !ok || r.Sign() <= 0 {
		return 0, exitcode.New(exitcode.Unexpected, "the kept DCC rate %q is not a positive number", rate)
	}
	v := new(big.Rat).Mul(new(big.Rat).SetInt64(minor), r)
	diff := toExp - fromExp
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(diff, -diff))), nil))
	if diff >= 0 {
		v.Mul(v, scale)
	} else {
		v.Quo(v, scale)
	}
	v.Add(v, big.NewRat(1, 2))
	return new(big.Int).Quo(v.Num(), v.Denom()).Int64(), nil
}

// setCardholder shows the amount in the cardholder's currency and the
// rate of a DCC operation.
func (r *result) setCardholder(d *acquiring.DccData) {
	if d == nil {
		return
	}
	minor := d.Amount
	r.CardholderAmount, r.CardholderAmountMinorUnits, r.CardholderCurrency, r.DCCRate =
		money.FormatMinor(d.Amount, int(d.NumberOfDecimals)), &minor, d.CurrencyCode, d.ConversionRate.String()
}
