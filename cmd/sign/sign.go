// Package sign is `bokuctl sign`: Boku signature headers, for debugging
// integrations.
package sign

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
	"github.com/bokuctl/bokuctl/pkg/sign"
)

func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.WithExample(cmdutil.GroupCmd("sign", "Compute Boku signature headers, for debugging integrations",
		newSignMessageCmd(f, true),
		newSignMessageCmd(f, false),
	), `  bokuctl sign request --path /billing/3.0/charge --header 'Content-Type: text/xml;charset=utf-8' \
    --signed-headers Content-Type --body-file charge.xml
  bokuctl sign response --header 'Content-Type: text/xml;charset=utf-8' --signed-headers Content-Type \
    --body-file answer.xml --timestamp 1402300605`)
}

// signResult is the output of `sign request` and `sign response`.
type signResult struct {
	HeaderName    string   `json:"header_name"`
	HeaderValue   string   `json:"header_value"`
	PartnerID     string   `json:"partner_id"`
	KeyID         string   `json:"key_id"`
	SignedHeaders []string `json:"signed_headers"`
	Timestamp     string   `json:"timestamp"`
	Signature     string   `json:"signature"`
	MessageToSign string   `json:"message_to_sign"`
}

// Table prints just the header line: what would be sent.
func (r signResult) Table() output.Table {
	return output.Table{Fields: []output.Field{{Label: r.HeaderName, Value: output.Text(r.HeaderValue)}}}
}

type signOptions struct {
	Method, Path, BodyFile, SignedHeaders, PartnerID, KeyID string
	Timestamp                                               int64
	Headers                                                 []string
}

func newSignMessageCmd(f *cmdutil.Factory, request bool) *cobra.Command {
	opts := &signOptions{}
	cmd := &cobra.Command{
		Use:   "response",
		Short: "Print the X-SignedResponse header Boku would send for a response",
		Args:  cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSign(cmd, f, opts, request)
		},
	}
	if request {
		cmd.Use = "request"
		cmd.Short = "Print the Authorization header bokuctl would send for a request"
		cmd.Flags().StringVar(&opts.Method, "method", "POST", "HTTP method")
		cmd.Flags().StringVar(&opts.Path, "path", "", "path and query exactly as sent, e.g. /billing/3.0/charge?x=y")
		cmd.MarkFlagRequired("path")
	}
	cmd.Example = `  bokuctl sign response --header 'Content-Type: text/xml;charset=utf-8' \
    --signed-headers Content-Type --body-file answer.xml --timestamp 1402300605`
	if request {
		cmd.Example = `  bokuctl sign request --method POST --path /billing/3.0/charge \
    --header 'Content-Type: text/xml;charset=utf-8' --signed-headers Content-Type \
    --body-file charge.xml --timestamp 1402300605`
	}
	cmd.Flags().StringArrayVar(&opts.Headers, "header", nil, "a header 'Name: value', repeatable, in message order")
	cmd.Flags().StringVar(&opts.SignedHeaders, "signed-headers", "", "header names to sign, in order, separated by ';' or ','")
	cmd.Flags().StringVar(&opts.BodyFile, "body-file", "", "file holding the exact body bytes (none: no body)")
	cmd.Flags().Int64Var(&opts.Timestamp, "timestamp", 0, "Unix time in seconds (default: now)")
	cmd.Flags().StringVar(&opts.PartnerID, "partner-id", "", "partner (merchant) id (default: the profile's boku.merchant-id)")
	cmd.Flags().StringVar(&opts.KeyID, "key-id", "", "key id (default: the profile's boku.key-id)")
	return cmd
}

func runSign(cmd *cobra.Command, f *cmdutil.Factory, opts *signOptions, request bool) error {
	message := sign.Message{}
	if request {
		if opts.Method == "" || strings.ContainsAny(opts.Method, " \t") {
			return exitcode.New(exitcode.Usage, "--method %q is not an HTTP method", opts.Method)
		}
		if !strings.HasPrefix(opts.Path, "/") {
			return exitcode.New(exitcode.Usage, "--path %q must start with /", opts.Path).WithHint("give the path and query as sent, e.g. /billing/3.0/charge")
		}
		message.Method, message.Target = strings.ToUpper(opts.Method), opts.Path
	}
	for _, h := range opts.Headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(strings.TrimSpace(name), " \t") {
			return exitcode.New(exitcode.Usage, "--header %q is not 'Name: value'", h)
		}
		message.Headers = append(message.Headers, sign.Header{Name: strings.TrimSpace(name), Value: value})
	}
	var signed []string
	for _, name := range strings.FieldsFunc(opts.SignedHeaders, func(r rune) bool { return r == ';' || r == ',' }) {
		if name = strings.TrimSpace(name); name != "" {
			signed = append(signed, name)
		}
	}
	for _, name := range signed {
		found := false
		for _, h := range message.Headers {
			found = found || strings.EqualFold(h.Name, name)
		}
		if !found {
			return exitcode.New(exitcode.Usage, "--signed-headers names %q, but no --header gives it", name)
		}
	}
	if opts.BodyFile != "" {
		body, err := os.ReadFile(opts.BodyFile)
		if err != nil {
			return exitcode.New(exitcode.Usage, "--body-file: %v", err)
		}
		message.Body = body
	}
	if opts.Timestamp < 0 {
		return exitcode.New(exitcode.Usage, "--timestamp must be seconds since the Unix epoch")
	}
	partnerID, keyID := opts.PartnerID, opts.KeyID
	if partnerID == "" || keyID == "" {
		settings, err := f.Settings()
		if err != nil {
			return err
		}
		if partnerID == "" {
			partnerID = settings.Get("boku.merchant-id")
		}
		if keyID == "" {
			keyID = settings.Get("boku.key-id")
		}
	}
	if partnerID == "" || keyID == "" {
		return exitcode.New(exitcode.Usage, "no partner id or key id").WithHint("pass --partner-id and --key-id, or set boku.merchant-id and boku.key-id in the profile")
	}
	key, err := f.ResolveSecret(cmd.Context(), "boku-key")
	if err != nil {
		return err
	}
	at := time.Now()
	if cmd.Flags().Changed("timestamp") {
		at = time.Unix(opts.Timestamp, 0)
	}
	params, err := sign.Sign(message, []byte(key.Value), partnerID, keyID, signed, at)
	if err != nil {
		return exitcode.New(exitcode.Usage, "%v", err)
	}
	toSign, _ := sign.MessageToSign(message, signed, params.Timestamp)
	headerName := "X-SignedResponse"
	if request {
		headerName = "Authorization"
	}
	return f.Printer.Print(signResult{
		HeaderName:    headerName,
		HeaderValue:   params.String(),
		PartnerID:     partnerID,
		KeyID:         keyID,
		SignedHeaders: append([]string{}, signed...),
		Timestamp:     strconv.FormatInt(at.Unix(), 10),
		Signature:     params.Signature,
		MessageToSign: toSign,
	})
}
