package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/bokuclient"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// fundCheckResult is the output of `fund-check`.
type fundCheckResult struct {
	OptinID          string `json:"optin_id"`
	Country          string `json:"country"`
	Amount           string `json:"amount"`
	AmountMinorUnits int64  `json:"amount_minor_units"`
	Currency         string `json:"currency"`
	Sufficient       bool   `json:"sufficient"`
	Reason           string `json:"reason,omitempty"`
}

func (r fundCheckResult) Table() output.Table {
	verdict := "sufficient"
	if !r.Sufficient {
		verdict = "insufficient"
	}
	fields := []output.Field{
		{Label: "Optin ID", Value: output.Text(r.OptinID)},
		{Label: "Amount", Value: output.Text(r.Amount + " " + r.Currency)},
		{Label: "Funds", Value: output.Status(verdict)},
	}
	if r.Reason != "" {
		fields = append(fields, output.Field{Label: "Reason", Value: output.Text(r.Reason)})
	}
	return output.Table{Fields: fields}
}

type fundCheckOptions struct {
	Country, OptinID, Amount, Currency, CardFile, OperationID string
}

func newFundCheckCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &fundCheckOptions{}
	cmd := &cobra.Command{
		Use:   "fund-check (--optin-id ID | card on stdin) [--amount DECIMAL --currency CUR]",
		Short: "Ask whether a payment method can cover an amount (Boku fund check, Worldline balance inquiry)",
		Long: `Ask, without charging, whether the payment method can cover an amount.
Boku: a fund check on an opt-in (--optin-id, --amount and --currency needed).
Worldline: a balance inquiry on a card given as JSON on stdin or in
--card-file; with --amount/--currency the balance is compared with it.
Sufficient exits 0; insufficient exits 3 with the reason.`,
		Example: `  bokuctl fund-check --optin-id oi-000002 --amount 4.99 --currency GBP
  bokuctl fund-check --provider worldline --amount 50 --currency EUR --card-file card.json`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFundCheck(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Country, "country", "", "country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
	cmd.Flags().StringVar(&opts.OptinID, "optin-id", "", "the opt-in to check")
	cmd.Flags().StringVar(&opts.Amount, "amount", "", "amount as a decimal, e.g. 4.99")
	cmd.Flags().StringVar(&opts.Currency, "currency", "", "ISO 4217 currency code")
	cmd.Flags().StringVar(&opts.CardFile, "card-file", "", "Worldline: card JSON (default: stdin)")
	cmd.Flags().StringVar(&opts.OperationID, "operation-id", "", "Worldline: operation id of the inquiry (default: a new UUID)")
	cmd.MarkFlagsRequiredTogether("amount", "currency")
	return cmd
}

func runFundCheck(cmd *cobra.Command, f *cmdutil.Factory, opts *fundCheckOptions) error {
	p, err := provider(f)
	if err != nil {
		return err
	}
	if p == "worldline" {
		if err := onlyFor(cmd, "worldline", "optin-id", "country"); err != nil {
			return err
		}
		return runWorldlineFundCheck(cmd, f, opts.Amount, opts.Currency, opts.CardFile, opts.OperationID)
	}
	if err := onlyFor(cmd, "boku", "card-file", "operation-id"); err != nil {
		return err
	}
	switch {
	case opts.OptinID == "":
		return exitcode.New(exitcode.Usage, "--optin-id is required for a Boku fund check")
	case opts.Amount == "":
		return exitcode.New(exitcode.Usage, "--amount and --currency are required for a Boku fund check")
	}
	if opts.Country != "" {
		if err := cmdutil.CheckCountry(opts.Country); err != nil {
			return err
		}
	}
	if err := cmdutil.CheckID("--optin-id", opts.OptinID); err != nil {
		return err
	}
	amount, err := money.ParsePositive(opts.Amount, opts.Currency)
	if err != nil {
		return exitcode.New(exitcode.Usage, "--amount/--currency: %v", err)
	}
	session, err := newBokuSession(cmd.Context(), f, opts.Country)
	if err != nil {
		return err
	}
	if opts.Country == "" {
		opts.Country = session.client.Country()
	}
	resp, err := session.client.FundCheck(cmd.Context(), bokuclient.FundCheckRequest{
		Country: strings.ToUpper(opts.Country), OptinID: opts.OptinID, Currency: amount.Currency.Code, TotalAmount: amount.MinorUnits,
	})
	if err != nil {
		return bokuFailure(err, "")
	}
	result := fundCheckResult{
		OptinID: opts.OptinID, Country: strings.ToLower(opts.Country), Amount: amount.Decimal(), AmountMinorUnits: amount.MinorUnits,
		Currency: amount.Currency.Code, Sufficient: *resp.Sufficient, Reason: resp.Reason,
	}
	if err := f.Printer.Print(result); err != nil {
		return err
	}
	if !result.Sufficient {
		reason := resp.Reason
		if reason == "" {
			reason = "no reason given"
		}
		return exitcode.New(exitcode.Declined, "insufficient funds for %s: %s", amount, reason)
	}
	return nil
}
