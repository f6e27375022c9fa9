package cmd

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/pkg/bokuclient"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func newOptinCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.GroupCmd("optin", "Opt a consumer's payment method in (Boku), confirm, query and cancel it",
		newOptinBeginCmd(f),
		newOptinConfirmCmd(f),
		newOptinStatusCmd(f),
		newOptinCancelCmd(f),
	)
}

// optinResult is the output of every optin command.
type optinResult struct {
	OptinRequestID    string `json:"optin_request_id,omitempty"`
	OptinID           string `json:"optin_id,omitempty"`
	MerchantRequestID string `json:"merchant_request_id,omitempty"`
	State             string `json:"state"`
	HostedURL         string `json:"hosted_url,omitempty"`
	OTPSent           bool   `json:"otp_sent,omitempty"`
	PaymentMethod     string `json:"payment_method,omitempty"`
	Country           string `json:"country,omitempty"`
}

func (r optinResult) Table() output.Table {
	var fields []output.Field
	add := func(label, value string, cell func(string) output.Cell) {
		if value != "" {
			fields = append(fields, output.Field{Label: label, Value: cell(value)})
		}
	}
	add("Optin request ID", r.OptinRequestID, output.Text)
	add("Optin ID", r.OptinID, output.Text)
	add("Merchant request ID", r.MerchantRequestID, output.Text)
	add("State", r.State, output.Status)
	add("Payment method", r.PaymentMethod, output.Text)
	add("Country", r.Country, output.Text)
	add("Consumer URL", r.HostedURL, output.Text)
	if r.OTPSent {
		add("OTP sent", "yes", output.Text)
	}
	return output.Table{Fields: fields}
}

var (
	msisdnPattern = regexp.MustCompile(`^[1-9][0-9]{6,14}$`)
)

type optinBeginOptions struct {
	Country, MSISDN, PaymentMethod, Type, ReturnURL, MerchantRequestID string
}

func newOptinBeginCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &optinBeginOptions{}
	cmd := &cobra.Command{
		Use:   "begin",
		Short: "Start an opt-in: sends an OTP or returns the URL the consumer must visit",
		Long: `Start a consumer opt-in for carrier billing (--msisdn) or a wallet
(--payment-method). With --type otp Boku texts a one-time code to the
consumer; confirm with ` + "`bokuctl optin confirm ID --code CODE`" + `. With
redirect or hosted the consumer approves at the printed URL; then run
` + "`bokuctl optin confirm ID`" + `.`,
		Example: `  bokuctl optin begin --country gb --msisdn 447700900123
  bokuctl optin begin --country gb --payment-method paypal --type redirect --return-url https://shop.example/back`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return optinBegin(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Country, "country", "", "consumer's country, ISO 3166-1 alpha-2 (default: the profile's boku.country)")
	cmd.Flags().StringVar(&opts.MSISDN, "msisdn", "", "consumer's phone number in international format, digits only (carrier billing)")
	cmd.Flags().StringVar(&opts.PaymentMethod, "payment-method", "", "wallet or payment method name (instead of --msisdn)")
	cmd.Flags().StringVar(&opts.Type, "type", "", "otp, redirect or hosted (default: otp with --msisdn, redirect with --payment-method)")
	cmd.Flags().StringVar(&opts.ReturnURL, "return-url", "", "where the consumer returns after a redirect or hosted opt-in")
	cmd.Flags().StringVar(&opts.MerchantRequestID, "merchant-request-id", "", "idempotency key (default: a new UUID, printed before sending)")
	cmd.MarkFlagsMutuallyExclusive("msisdn", "payment-method")
	cmd.MarkFlagsOneRequired("msisdn", "payment-method")
	return cmd
}

func optinBegin(cmd *cobra.Command, f *cmdutil.Factory, opts *optinBeginOptions) error {
	if opts.Country != "" {
		if err := cmdutil.CheckCountry(opts.Country); err != nil {
			return err
		}
	}
	if opts.MSISDN != "" && !msisdnPattern.MatchString(opts.MSISDN) {
		return exitcode.New(exitcode.Usage, "--msisdn %q is not a phone number in international format", opts.MSISDN).
			WithHint("digits only, country code first, no + or spaces: e.g. 447700900123")
	}
	if opts.PaymentMethod != "" {
		if err := cmdutil.CheckID("--payment-method", opts.PaymentMethod); err != nil {
			return err
		}
	}
	if opts.Type == "" {
		opts.Type = "otp"
		if opts.PaymentMethod != "" {
			opts.Type = "redirect"
		}
	}
	switch opts.Type {
	case "otp":
		if opts.MSISDN == "" {
			return exitcode.New(exitcode.Usage, "--type otp needs --msisdn: the code is sent by text message")
		}
	case "redirect", "hosted":
	default:
		return exitcode.New(exitcode.Usage, "invalid --type %q", opts.Type).WithHint("use otp, redirect or hosted")
	}
	if opts.ReturnURL != "" {
		if u, err := url.Parse(opts.ReturnURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return exitcode.New(exitcode.Usage, "--return-url %q is not an http(s) URL", opts.ReturnURL)
		}
	}
	session, err := boku.NewSession(cmd.Context(), f, opts.Country)
	if err != nil {
		return err
	}
	if opts.Country == "" {
		opts.Country = session.Client.Country()
	}
	merchantRequestID, err := cmdutil.IdempotencyKey(f, opts.MerchantRequestID, "merchant-request-id", "Merchant request ID")
	if err != nil {
		return err
	}
	resp, err := session.Client.BeginOptin(cmd.Context(), bokuclient.OptinRequest{
		Country:           strings.ToUpper(opts.Country),
		MerchantRequestID: merchantRequestID,
		MSISDN:            opts.MSISDN,
		PaymentMethod:     opts.PaymentMethod,
		OptinType:         opts.Type,
		ReturnURL:         opts.ReturnURL,
	})
	if err != nil {
		return boku.Explain(err, "")
	}
	result := optinResult{OptinRequestID: resp.OptinRequestID, MerchantRequestID: merchantRequestID, State: resp.OptinState, HostedURL: resp.HostedURL, OTPSent: resp.OTPSent}
	if resp.OTPSent {
		f.Printer.Notice("A one-time code was sent to the consumer. Next: bokuctl optin confirm %s --code CODE%s", resp.OptinRequestID, session.ProfileArg)
	} else if resp.HostedURL != "" {
		f.Printer.Notice("Send the consumer to the URL below. After they approve: bokuctl optin confirm %s%s", resp.OptinRequestID, session.ProfileArg)
	}
	return f.Printer.Print(result)
}

func newOptinConfirmCmd(f *cmdutil.Factory) *cobra.Command {
	var code string
	cmd := &cobra.Command{
		Use:   "confirm OPTIN_REQUEST_ID",
		Short: "Complete an opt-in and get the optin id to charge",
		Example: `  bokuctl optin confirm oir-000001 --code 123456
  bokuctl optin confirm oir-000002     # after a redirect/hosted approval`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckID("OPTIN_REQUEST_ID", args[0]); err != nil {
				return err
			}
			if code != "" && !regexp.MustCompile(`^[0-9A-Za-z]{4,12}$`).MatchString(code) {
				return exitcode.New(exitcode.Usage, "--code %q is not a verification code (4 to 12 letters or digits)", code)
			}
			session, err := boku.NewSession(cmd.Context(), f, "")
			if err != nil {
				return err
			}
			resp, err := session.Client.ConfirmOptin(cmd.Context(), bokuclient.ConfirmOptinRequest{OptinRequestID: args[0], VerificationCode: code})
			if err != nil {
				var apiErr *bokuclient.APIError
				if errors.As(err, &apiErr) && exitcode.Of(err) == exitcode.Pending {
					return &exitcode.Error{Code: exitcode.Pending, Err: err,
						Hint: fmt.Sprintf("the consumer has not approved yet; run `bokuctl optin confirm %s%s` again after they do", args[0], session.ProfileArg)}
				}
				return boku.Explain(err, "")
			}
			f.Printer.Notice("Opt-in is %s. Charge it with: bokuctl charge --optin-id %s --amount AMOUNT --currency CUR%s", resp.OptinState, resp.OptinID, session.ProfileArg)
			return f.Printer.Print(optinResult{OptinRequestID: args[0], OptinID: resp.OptinID, State: resp.OptinState})
		},
	}
	cmd.Flags().StringVar(&code, "code", "", "the one-time code the consumer received (otp opt-ins)")
	return cmd
}

func newOptinStatusCmd(f *cmdutil.Factory) *cobra.Command {
	var requestID string
	cmd := &cobra.Command{
		Use:   "status (OPTIN_ID | --optin-request-id ID)",
		Short: "Show an opt-in's state",
		Args:  cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := bokuclient.QueryOptinRequest{OptinRequestID: requestID}
			switch {
			case len(args) == 1 && requestID != "":
				return exitcode.New(exitcode.Usage, "give either OPTIN_ID or --optin-request-id, not both")
			case len(args) == 1:
				req.OptinID = args[0]
				if err := cmdutil.CheckID("OPTIN_ID", args[0]); err != nil {
					return err
				}
			case requestID != "":
				if err := cmdutil.CheckID("--optin-request-id", requestID); err != nil {
					return err
				}
			default:
				return exitcode.New(exitcode.Usage, "which opt-in? give OPTIN_ID or --optin-request-id ID")
			}
			session, err := boku.NewSession(cmd.Context(), f, "")
			if err != nil {
				return err
			}
			resp, err := session.Client.QueryOptin(cmd.Context(), req)
			if err != nil {
				return boku.Explain(err, "")
			}
			return f.Printer.Print(optinResult{OptinRequestID: resp.OptinRequestID, OptinID: resp.OptinID, State: resp.OptinState, PaymentMethod: resp.PaymentMethod, Country: strings.ToLower(resp.Country)})
		},
	}
	cmd.Flags().StringVar(&requestID, "optin-request-id", "", "look the opt-in up by the id `optin begin` returned")
	return cmd
}

func newOptinCancelCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "cancel OPTIN_ID",
		Short: "Cancel an opt-in so it can no longer be charged",
		Args:  cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckID("OPTIN_ID", args[0]); err != nil {
				return err
			}
			session, err := boku.NewSession(cmd.Context(), f, "")
			if err != nil {
				return err
			}
			resp, err := session.Client.CancelOptin(cmd.Context(), bokuclient.CancelOptinRequest{OptinID: args[0]})
			if err != nil {
				return boku.Explain(err, fmt.Sprintf("bokuctl optin status %s%s", args[0], session.ProfileArg))
			}
			return f.Printer.Print(optinResult{OptinID: args[0], State: resp.OptinState})
		},
	}
}
