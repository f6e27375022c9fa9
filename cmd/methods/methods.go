// Package methods is `bokuctl methods`: the payment methods an Ottu merchant
// can offer, and their cache.
package methods

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	ottuprov "github.com/bokuctl/bokuctl/internal/provider/ottu"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/money"
	"github.com/bokuctl/bokuctl/pkg/ottu"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.WithExample(cmdutil.GroupCmd("methods", "Which payment methods (gateways) an Ottu merchant can offer",
		newMethodsListCmd(f),
		cmdutil.WithExample(cmdutil.GroupCmd("cache", "Inspect or clear cached payment-method lists",
			newMethodsCacheListCmd(f),
			newMethodsCacheClearCmd(f),
		), `  bokuctl methods cache list
  bokuctl methods cache clear`),
	), `  bokuctl methods list --plugin e_commerce --currency KWD
  bokuctl methods list --refresh              # ask Ottu again, not the cache
  bokuctl methods cache clear`)
}

// methodsResult is the output of `methods list`.
type methodsResult struct {
	Cached                 bool                 `json:"cached"`
	FetchedAt              output.Time          `json:"fetched_at"`
	Host                   string               `json:"host"`
	Filters                ottu.Filters         `json:"filters"`
	CustomerPaymentMethods []json.RawMessage    `json:"customer_payment_methods"`
	PaymentMethods         []ottu.PaymentMethod `json:"payment_methods"`
	EntriesWithoutCode     []ottu.PaymentMethod `json:"entries_without_code,omitempty"`
}

func (r methodsResult) Table() output.Table {
	t := output.Table{Header: []string{"code", "name", "sandbox", "currencies", "operations", "tokenizable", "services"}}
	for _, m := range r.PaymentMethods {
		currencies := []string{}
		if m.DefaultCurrency != "" {
			currencies = append(currencies, m.DefaultCurrency)
		}
		for _, c := range m.AcceptedCurrencies {
			if c != m.DefaultCurrency {
				currencies = append(currencies, c)
			}
		}
		operations := append([]string{}, m.Operation)
		operations = append(operations, m.Operations...)
		var services []string
		for _, s := range m.PaymentServices {
			services = append(services, s.Code)
		}
		if len(services) == 0 {
			services = m.Wallets
		}
		t.Rows = append(t.Rows, []output.Cell{
			output.Text(m.Code), output.Text(m.Name), output.Text(cmdutil.YesNo(m.IsSandbox)),
			output.Text(strings.Join(currencies, ",")), output.Text(strings.Trim(strings.Join(operations, ","), ",")),
			output.Text(cmdutil.YesNo(m.IsTokenizable)), output.Text(cmdutil.OrNone(strings.Join(services, ","))),
		})
	}
	return t
}

// customerMethods is the table of customer_payment_methods.
type customerMethods []json.RawMessage

func (c customerMethods) Table() output.Table {
	t := output.Table{Header: []string{"customer payment method"}}
	for _, raw := range c {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		t.Rows = append(t.Rows, []output.Cell{output.Text(s)})
	}
	return t
}

type methodsListOptions struct {
	Filters     ottu.Filters
	MaxAge      time.Duration
	Refresh     bool
	PGCodesOnly bool
}

func newMethodsListCmd(f *cmdutil.Factory) *cobra.Command {
	o := &methodsListOptions{}
	cmd := &cobra.Command{
		Use:   "list [filters]",
		Short: "List the payment methods a merchant can offer, filtered as checkout would",
		Long: `List the gateways (MIDs) Ottu offers for the given filters. Only the filters
you set are sent: --tokenizable and --auto-debit are unset unless given
(=true or =false). Answers are cached per filter set for ottu.max-age (24h)
under the user cache folder; --refresh fetches again, ` + "`methods cache clear`" + `
forgets them. Errors are never cached. Answers for a --customer-id are not
cached unless --max-age is given: Ottu's wallet guide asks for a customer's
methods per session. Entries without a code (a customer's wallet) are not
listed as methods; -o json shows them under entries_without_code.`,
		Example: `  bokuctl methods list --plugin e_commerce --currency KWD,USD
  bokuctl methods list --plugin payment_request --tokenizable --payment-service apple_pay
  bokuctl methods list --plugin e_commerce --pg-codes-only | xargs …`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMethodsList(cmd, f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Filters.Plugin, "plugin", "", "e_commerce or payment_request (default: the profile's ottu.plugin)")
	fl.StringSliceVar(&o.Filters.Currencies, "currency", nil, "ISO 4217 code the method must accept (repeatable or comma list)")
	fl.StringVar(&o.Filters.CustomerID, "customer-id", "", "also list the methods this customer has paid with (not cached unless --max-age is given)")
	fl.StringVar(&o.Filters.Operation, "operation", "", "purchase or authorize")
	fl.Bool("tokenizable", false, "only methods that can (=true) or cannot (=false) tokenize cards")
	fl.Bool("auto-debit", false, "only methods with (=true) or without (=false) auto-debit")
	fl.StringSliceVar(&o.Filters.PGNames, "pg-name", nil, "gateway name, e.g. kpay or mpgs (repeatable)")
	fl.StringVar(&o.Filters.Type, "type", "", "sandbox or production MIDs")
	fl.StringSliceVar(&o.Filters.Tags, "tag", nil, "business vertical tag (repeatable; any matches)")
	fl.StringSliceVar(&o.Filters.PaymentServices, "payment-service", nil, "apple_pay, google_pay, samsung_pay or wallet (repeatable; any matches)")
	fl.DurationVar(&o.MaxAge, "max-age", 0, "use a cached answer no older than this (default: the profile's ottu.max-age, 24h)")
	fl.BoolVar(&o.Refresh, "refresh", false, "ignore the cache and fetch again")
	fl.BoolVar(&o.PGCodesOnly, "pg-codes-only", false, "print only the gateway codes, one per line")
	return cmd
}

func runMethodsList(cmd *cobra.Command, f *cmdutil.Factory, o *methodsListOptions) error {
	for _, name := range []string{"tokenizable", "auto-debit"} {
		if cmd.Flags().Changed(name) {
			v, _ := cmd.Flags().GetBool(name)
			if name == "tokenizable" {
				o.Filters.Tokenizable = &v
			} else {
				o.Filters.AutoDebit = &v
			}
		}
	}
	if o.PGCodesOnly && f.Printer.JSON() {
		return exitcode.New(exitcode.Usage, "--pg-codes-only prints plain codes; it cannot be combined with -o json or --jq")
	}
	if cmd.Flags().Changed("max-age") && o.MaxAge <= 0 {
		return exitcode.New(exitcode.Usage, "--max-age must be positive, e.g. 1h")
	}
	session, err := ottuprov.NewSession(cmd.Context(), f, true)
	if err != nil {
		return err
	}
	if o.Filters.Plugin == "" {
		o.Filters.Plugin = session.Settings.Get("ottu.plugin")
	}
	if o.Filters.Plugin == "" {
		return exitcode.New(exitcode.Usage, "--plugin is required: e_commerce or payment_request").
			WithHint("pass --plugin, or set a default with `bokuctl profile set NAME ottu.plugin e_commerce`")
	}
	filters, err := o.Filters.Normalize()
	if err != nil {
		return exitcode.New(exitcode.Usage, "--%v", err)
	}
	for _, c := range filters.Currencies {
		if _, err := money.LookupCurrency(c); err != nil {
			return exitcode.New(exitcode.Usage, "--currency: %v", err).WithHint("use ISO 4217 codes, e.g. --currency KWD,USD; nothing was sent")
		}
	}
	if !cmd.Flags().Changed("max-age") {
		o.MaxAge, _ = time.ParseDuration(session.Settings.Get("ottu.max-age"))
	}
	base := session.Client.BaseURL
	key := ottu.Key(base, session.Client.Auth, filters)
	result := methodsResult{Host: base, Filters: filters}
	var resp *ottu.Response
	cached := ottuprov.Cached(filters, cmd.Flags().Changed("max-age"))
	// A dry run shows the request, so it never answers from the cache.
	if entry, ok := session.Cache.Get(key, o.MaxAge); ok && !o.Refresh && cached && !f.DryRun {
		if resp, err = ottu.Parse(entry.Response); err == nil {
			result.Cached, result.FetchedAt = true, output.Time(entry.FetchedAt)
			f.Printer.Notice("From the cache, fetched %s ago (--refresh to fetch again).", time.Since(entry.FetchedAt).Round(time.Second))
		}
	}
	if resp == nil {
		var raw []byte
		resp, raw, err = session.Client.List(cmd.Context(), filters)
		if err != nil {
			return ottuprov.Failure(err)
		}
		now := time.Now().UTC()
		result.FetchedAt = output.Time(now)
		if !cached {
			f.Printer.Notice("Fetched from %s; not cached: answers for a customer are asked per session (--max-age caches them).", base)
		} else if err := session.Cache.Put(ottu.Entry{Key: key, BaseURL: base, Identity: session.Client.Auth.Identity(), Filters: filters, FetchedAt: now, Response: raw}); err != nil {
			f.Printer.Notice("Warning: could not cache the answer: %v", err)
		} else {
			f.Printer.Notice("Fetched from %s; cached for %s.", base, o.MaxAge)
		}
	}
	result.PaymentMethods, result.CustomerPaymentMethods, result.EntriesWithoutCode = resp.PaymentMethods, resp.CustomerPaymentMethods, resp.WithoutCode
	if notice := ottuprov.WithoutCodeNotice(resp); notice != "" && !o.PGCodesOnly && !f.Printer.JSON() {
		f.Printer.Notice("%s", notice)
	}
	if result.PaymentMethods == nil {
		result.PaymentMethods = []ottu.PaymentMethod{}
	}
	if result.CustomerPaymentMethods == nil {
		result.CustomerPaymentMethods = []json.RawMessage{}
	}
	switch {
	case o.PGCodesOnly:
		for _, m := range result.PaymentMethods {
			fmt.Fprintln(f.IO.Out, m.Code)
		}
		return nil
	case f.Printer.JSON():
		return f.Printer.Print(result)
	}
	if len(result.PaymentMethods) == 0 {
		f.Printer.Notice("No payment methods match these filters.")
	} else if err := f.Printer.Print(result); err != nil {
		return err
	}
	if filters.CustomerID != "" {
		if len(result.CustomerPaymentMethods) == 0 {
			f.Printer.Notice("Customer %s has no payment methods on record.", filters.CustomerID)
			return nil
		}
		fmt.Fprintln(f.IO.Out)
		return f.Printer.Print(customerMethods(result.CustomerPaymentMethods))
	}
	return nil
}

// cacheListResult is the output of `methods cache list`.
type cacheListResult struct {
	Entries []cacheEntrySummary `json:"entries"`
}

type cacheEntrySummary struct {
	Key       string       `json:"key"`
	Host      string       `json:"host"`
	Identity  string       `json:"identity"`
	Filters   ottu.Filters `json:"filters"`
	FetchedAt output.Time  `json:"fetched_at"`
	AgeSecs   int64        `json:"age_seconds"`
	Size      int64        `json:"size_bytes"`
}

func (r cacheListResult) Table() output.Table {
	t := output.Table{Header: []string{"key", "host", "filters", "age", "size"}}
	for _, e := range r.Entries {
		t.Rows = append(t.Rows, []output.Cell{
			output.Text(e.Key[:12]), output.Text(e.Host), output.Text(filterSummary(e.Filters)),
			output.Text((time.Duration(e.AgeSecs) * time.Second).String()), output.Text(fmt.Sprintf("%dB", e.Size)),
		})
	}
	return t
}

func filterSummary(f ottu.Filters) string {
	data, _ := json.Marshal(f)
	return string(data)
}

func newMethodsCacheListCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List cached answers: filters, age and size",
		Example: `  bokuctl methods cache list
  bokuctl methods cache list --jq '.entries[] | .filters'`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			cache, err := ottuprov.Cache(f)
			if err != nil {
				return err
			}
			summaries, err := cache.List()
			if err != nil {
				return err
			}
			result := cacheListResult{Entries: []cacheEntrySummary{}}
			for _, s := range summaries {
				result.Entries = append(result.Entries, cacheEntrySummary{Key: s.Key, Host: s.BaseURL, Identity: s.Identity, Filters: s.Filters,
					FetchedAt: output.Time(s.FetchedAt), AgeSecs: int64(time.Since(s.FetchedAt) / time.Second), Size: s.Size})
			}
			if len(result.Entries) == 0 && !f.Printer.JSON() {
				f.Printer.Notice("The methods cache is empty.")
				return nil
			}
			return f.Printer.Print(result)
		},
	}
}

func newMethodsCacheClearCmd(f *cmdutil.Factory) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "clear [--all]",
		Short: "Forget cached answers for the profile's host and user (or all)",
		Example: `  bokuctl methods cache clear -p kw     # the answers for profile kw's host and user
  bokuctl methods cache clear --all`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			var removed int
			if all {
				cache, err := ottuprov.Cache(f)
				if err != nil {
					return err
				}
				if removed, err = cache.Clear(true, "", ottu.Auth{}); err != nil {
					return err
				}
			} else {
				session, err := ottuprov.NewSession(cmd.Context(), f, true)
				if err != nil {
					return err
				}
				if removed, err = session.Cache.Clear(false, session.Client.BaseURL, session.Client.Auth); err != nil {
					return err
				}
			}
			// The count is the result (stdout), said once.
			return f.Printer.Print(cacheClearResult{Removed: removed})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "clear every profile's cached answers")
	return cmd
}

type cacheClearResult struct {
	Removed int `json:"removed"`
}

func (r cacheClearResult) Table() output.Table {
	return output.Table{Fields: []output.Field{{Label: "Removed", Value: output.Text(fmt.Sprint(r.Removed))}}}
}
