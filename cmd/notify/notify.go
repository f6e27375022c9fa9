// Package notify is `bokuctl notify` and `bokuctl listen`: check Boku's
// signed notifications, and receive, verify and forward them.
package notify

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider/boku"
	"github.com/bokuctl/bokuctl/pkg/bokunotify"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.WithExample(cmdutil.GroupCmd("notify", "Check Boku's signed notifications", newNotifyVerifyCmd(f)),
		"  bokuctl notify verify --file notification.http")
}

// notifyResult is a verified notification.
type notifyResult struct {
	Valid bool `json:"valid"`
	*bokunotify.Event
}

func (r notifyResult) Table() output.Table {
	e := r.Event
	t := output.Table{Fields: []output.Field{
		{Label: "Signature", Value: output.Status("valid")},
		{Label: "Scheme", Value: output.Text(e.Scheme)},
		{Label: "Event", Value: output.Text(e.EventType)},
	}}
	t.Add("Charge ID", e.ChargeID)
	t.Add("Transaction ID", e.TransactionID)
	t.Add("Merchant request ID", e.MerchantRequestID)
	t.Add("Refund ID", e.RefundID)
	t.Add("Merchant refund ID", e.MerchantRefundID)
	if e.Status != "" {
		t.Fields = append(t.Fields, output.Field{Label: "Status", Value: output.Status(e.Status)})
	}
	if e.Amount != "" {
		t.Add("Amount", e.Amount+" "+e.Currency)
	}
	if e.ReasonCode != nil {
		t.Add("Result", fmt.Sprintf("%d %s", *e.ReasonCode, e.Message))
	}
	t.Add("Merchant transaction ID", e.MerchantTransactionID)
	t.Add("Created", e.CreatedAt)
	return t
}

// maxNotification bounds a notification read from stdin or --file.
const maxNotification = 2 << 20

func newNotifyVerifyCmd(f *cmdutil.Factory) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "verify [--file FILE]",
		Short: "Verify a Boku notification's signature and show the event",
		Long: `Verify a Boku notification read from --file or stdin: a raw HTTP request
(request line, headers, blank line, body) or JSON
{"method":"POST","path":"/boku","headers":{"Authorization":"…","Content-Type":"…"},"body":"…"}.

Signed notifications (Authorization header, scheme 2/HMAC_SHA256) are checked
with the profile's boku-key, including the timestamp (boku.clock-skew); legacy
"billingresult" callbacks (form parameters trx-id, param, currency, amount,
action, sig) by their MD5 sig. Exit 0 valid, 3 invalid signature, 2 input
that is not a notification.`,
		Example: `  bokuctl notify verify --file notification.http
  pbpaste | bokuctl notify verify -o json`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			var data []byte
			var err error
			if file == "" || file == "-" {
				data, err = io.ReadAll(io.LimitReader(f.IO.In, maxNotification))
			} else {
				var in *os.File
				if in, err = os.Open(file); err == nil {
					data, err = io.ReadAll(io.LimitReader(in, maxNotification+1))
					in.Close()
				}
				if err == nil && len(data) > maxNotification {
					return exitcode.New(exitcode.Usage, "--file %s is larger than %d MiB: a notification is far smaller", file, maxNotification>>20).
						WithHint("give the one notification, as a raw HTTP request or JSON (see bokuctl notify verify --help)")
				}
			}
			if err != nil {
				return exitcode.New(exitcode.Usage, "read notification: %v", err)
			}
			req, err := bokunotify.Parse(data)
			if err != nil {
				return err
			}
			keys, err := boku.NotifyKeys(cmd.Context(), f)
			if err != nil {
				return err
			}
			keys.Now = time.Now()
			event, err := bokunotify.Verify(req, keys)
			if err != nil {
				return withNotifyHint(err)
			}
			return f.Printer.Print(notifyResult{Valid: true, Event: event})
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "file holding the notification (default: stdin)")
	return cmd
}

func withNotifyHint(err error) error {
	if _, ok := err.(*bokunotify.InvalidError); ok {
		return &exitcode.Error{Code: exitcode.Declined, Err: err,
			Hint: "do not act on it; check that the profile's boku.merchant-id, boku.key-id and boku-key match the sender"}
	}
	return err
}

// eventLine is one event as a line of text for `listen`.
func eventLine(e *bokunotify.Event) string {
	amount := "-"
	if e.Amount != "" {
		amount = e.Amount + " " + e.Currency
	}
	id := e.ChargeID
	if e.RefundID != "" {
		id = e.RefundID
	}
	if id == "" {
		id = e.TransactionID
	}
	return fmt.Sprintf("%-20s %-16s %-12s %-12s %s", time.Now().UTC().Format(time.RFC3339), e.EventType, cmdutil.OrNone(id), cmdutil.OrNone(e.Status), amount)
}
