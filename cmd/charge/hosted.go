package charge

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
)

func newHostedCmd(f *cmdutil.Factory) *cobra.Command {
	in := &provider.AmountInput{}
	cmd := &cobra.Command{
		Use:   "hosted --payment-method NAME --amount DECIMAL --currency CUR --forward-url URL [--notification-url URL]",
		Short: "Begin a one-off hosted charge the consumer authorizes at the issuer (Boku)",
		Long: `Begin a one-off charge without a stored opt-in (Boku's begin-single-charge,
the 3.0 form of the legacy buy URL): Boku answers with the charge id and a
URL where the consumer authorizes the payment at the issuer, who then sends
them back to --forward-url. The final status arrives as a
<charge-notification> at --notification-url (see bokuctl listen), or with
bokuctl charge status. The charge is in progress until then [inferred:
Boku's spec shows an immediate success in its example].`,
		Example: `  bokuctl charge hosted --payment-method superwallet --amount 5.48 --currency GBP \
    --forward-url https://shop.example/paid --notification-url https://shop.example/boku/notify`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&in.Amount, "amount", "", "amount as a decimal, e.g. 4.99")
	cmd.Flags().StringVar(&in.Currency, "currency", "", "ISO 4217 currency code, e.g. GBP")
	cmd.RunE = provider.New(cmd, provider.Handlers{provider.Boku: boku.NewHostedCharge(in)}).RunE(f)
	cmd.MarkFlagRequired("amount")
	cmd.MarkFlagRequired("currency")
	cmd.MarkFlagRequired("payment-method")
	cmd.MarkFlagRequired("forward-url")
	return cmd
}
