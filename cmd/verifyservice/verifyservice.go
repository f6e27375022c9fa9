// Package verifyservice is `bokuctl verify-service`: whether a Boku service
// id is valid, through Boku's legacy API.
package verifyservice

import (
	"errors"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/pkg/bokulegacy"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// verifyServiceResult is the output of `verify-service`.
type verifyServiceResult struct {
	ServiceID  string         `json:"service_id"`
	MerchantID string         `json:"merchant_id"`
	Valid      bool           `json:"valid"`
	Name       string         `json:"name,omitempty"`
	ResultCode int            `json:"result_code"`
	Message    string         `json:"message,omitempty"`
	Prices     []servicePrice `json:"prices,omitempty"`
}

// servicePrice is one price point of the service.
type servicePrice struct {
	Country          string `json:"country"`
	Amount           string `json:"amount,omitempty"`
	AmountMinorUnits *int64 `json:"amount_minor_units,omitempty"`
	Currency         string `json:"currency"`
	DisplayPrice     string `json:"display_price,omitempty"`
}

func (r verifyServiceResult) Table() output.Table {
	t := output.Table{Fields: []output.Field{
		{Label: "Service ID", Value: output.Text(r.ServiceID)},
		{Label: "Merchant", Value: output.Text(r.MerchantID)},
		{Label: "Valid", Value: output.Status(cmdutil.YesNo(r.Valid))},
	}}
	t.Add("Name", r.Name)
	for _, p := range r.Prices {
		t.Fields = append(t.Fields, output.Field{Label: "Price " + p.Country, Value: output.Text(p.Amount + " " + p.Currency)})
	}
	if !r.Valid {
		t.Fields = append(t.Fields, output.Field{Label: "Result", Value: output.Text(r.Message)})
	}
	return t
}

func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "verify-service SERVICE_ID",
		Short: "Check that a Boku service id is valid for the profile's merchant (legacy API)",
		Long: `Check that a Boku service id is valid for the profile's merchant, as Mozilla's
solitude did: a service-prices request to Boku's legacy API
(boku.legacy-base-url, default https://api2.boku.com; GET /billing/request
signed with an MD5 sig of the parameters and the boku-key). This is not a
Boku Direct Payments 3.0 call. Valid exits 0 and shows the service's price
points; a service Boku does not know exits 3 with Boku's result code.

Inferred: the request and answer shapes follow solitude's client (Boku's
legacy documentation is not public), and the legacy API is signed with the
same merchant id and key as the 3.0 API.`,
		Example: "  bokuctl verify-service svc-sandbox-1",
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckID("SERVICE_ID", args[0]); err != nil {
				return err
			}
			client, err := boku.NewLegacyClient(cmd.Context(), f)
			if err != nil {
				return err
			}
			answer, err := client.ServicePrices(cmd.Context(), args[0])
			var refused *bokulegacy.ResultError
			if err != nil && !errors.As(err, &refused) {
				return err
			}
			result := verifyServiceResult{ServiceID: args[0], MerchantID: client.MerchantID(), Valid: err == nil, Message: answer.ResultMsg}
			if refused != nil {
				result.ResultCode = refused.Code
			}
			for _, svc := range answer.Services {
				result.Name = svc.Name
				for _, p := range svc.Prices {
					price := servicePrice{Country: p.Country, Amount: p.Decimal(), Currency: p.Currency, DisplayPrice: p.DisplayPrice}
					if minor, err := strconv.ParseInt(p.Amount, 10, 64); err == nil {
						price.AmountMinorUnits = &minor
					}
					result.Prices = append(result.Prices, price)
				}
			}
			if printErr := f.Printer.Print(result); printErr != nil {
				return printErr
			}
			if refused != nil {
				return exitcode.New(exitcode.Declined, "service id %s is not valid for merchant %s: %s (result code %d)", args[0], result.MerchantID, refused.Msg, refused.Code)
			}
			return nil
		},
	}
}
