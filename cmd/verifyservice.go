package cmd

import (
	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/pkg/bokuclient"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// verifyServiceResult is the output of `verify-service`.
type verifyServiceResult struct {
	ServiceID  string `json:"service_id"`
	MerchantID string `json:"merchant_id"`
	Valid      bool   `json:"valid"`
}

func (r verifyServiceResult) Table() output.Table {
	return output.Table{Fields: []output.Field{
		{Label: "Service ID", Value: output.Text(r.ServiceID)},
		{Label: "Merchant", Value: output.Text(r.MerchantID)},
		{Label: "Valid", Value: output.Status(cmdutil.YesNo(r.Valid))},
	}}
}

func newVerifyServiceCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "verify-service SERVICE_ID",
		Short: "Check that a Boku service id is valid for the profile's merchant",
		Long: `Check that a Boku service id is valid for the profile's merchant: valid
exits 0, invalid exits 3 with Boku's reason.`,
		Example: "  bokuctl verify-service svc-sandbox-1",
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckID("SERVICE_ID", args[0]); err != nil {
				return err
			}
			session, err := boku.NewSession(cmd.Context(), f, "")
			if err != nil {
				return err
			}
			resp, err := session.Client.VerifyService(cmd.Context(), bokuclient.VerifyServiceRequest{ServiceID: args[0]})
			if err != nil {
				return boku.Explain(err, "")
			}
			result := verifyServiceResult{ServiceID: args[0], MerchantID: session.Client.MerchantID(), Valid: *resp.Valid}
			if err := f.Printer.Print(result); err != nil {
				return err
			}
			if !result.Valid {
				return exitcode.New(exitcode.Declined, "service id %s is not valid for merchant %s", args[0], result.MerchantID)
			}
			return nil
		},
	}
}
