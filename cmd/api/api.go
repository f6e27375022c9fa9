// Package api is `bokuctl api PATH`: any call of the profile's provider,
// sent as bokuctl's own commands send theirs (Boku's signature,
// Worldline's OAuth token, Ottu's Authorization), modelled on `gh api`.
// The command parses the flags; the provider's APICaller capability
// builds, journals, sends, checks and prints. The command never learns
// which provider it got.
package api

import (
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// maxInput bounds --input and -F @file.
const maxInput = 1 << 20

// options are the command's flags.
type options struct {
	method, input, country, provider string
	headers, rawFields, typedFields  []string
	include                          bool
}

// NewCmd is `bokuctl api`. providers are the registered providers, whose
// APICaller capability sends the request.
func NewCmd(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command {
	opts := &options{}
	cmd := &cobra.Command{
		Use:   "api PATH",
		Short: "Send any call of the profile's provider, signed and journalled like the others",
		Long: `Send one call of the provider's API that bokuctl has no command for, as bokuctl's
own commands send theirs, and print the answer (modelled on gh api).

The provider is --provider (boku, worldline or ottu), else the profile's provider
setting, else the one provider the profile has settings for.

  Boku       PATH is the call's path, e.g. /billing/3.0/query-charge, on the profile's
             country host (or --country's). The body is XML: --input FILE (- for stdin),
             or -f fields that build the request element, named as Boku's spec names
             them: the call's name plus -request (<query-charge-request>). -f a.b=v
             nests (<a><b>v</b></a>), -f a.@x=v is an attribute, a name given twice
             repeats. merchant-id is the profile's when absent. Every call is a signed
             POST; the answer's X-SignedResponse is verified as for every call.
  Worldline  Any method and path; {acquirerId} and {merchantId} become the profile's
             ids, and a path outside /processing/v1/ and /services/v1/ is taken under
             /processing/v1/{acquirerId}/{merchantId}/ (so payments/ID works). The body
             is JSON: --input, or -f (strings) and -F (true, false, null and numbers
             typed, exact; @FILE reads a file) fields; a.b=v nests, a[]=v appends. With
             GET, fields are the query. The OAuth token is the one the client gets.
  Ottu       Any method and path under the profile's host, with its Authorization.

A call that can change state is journalled like every request that sends money,
under its idempotency key, printed first on stderr: Boku's merchant-request-id,
Worldline's operationId, filled in when the body has none (Ottu documents no key:
the row's key is bokuctl's own). Read-only: Boku's query-charge, query-refund,
query-optin, optin-info, check-eligibility, msisdn-network, forex and fund-check
(the last six public by name only: inferred); Worldline's GET and HEAD, and the
balance-inquiries and dcc-rates POSTs; Ottu's GET and HEAD, and the payment-methods
and card POSTs (lists). Everything else, known or not, is treated as changing state.
The row settles with bokuctl reconcile when the call is one reconcile knows (Boku's
charge, begin-single-charge, reverse-charge, refund-charge and opt-in calls;
Worldline's payments and their captures, increments and authorization reversals),
else with bokuctl journal settle.

Stdout is the answer's body as the provider sent it; -i puts the status line and
headers first (signatures and tokens masked as --debug masks them); -o json, --json
and --jq print it as JSON: Boku's XML as {"root": …}, an element with only text a
string (amounts stay exact strings), attributes "@name", text beside them "#text",
a repeated element an array (docs/api.md). Exit codes are the ones every command
has (bokuctl help exit-codes), from each provider's answer as its client reads it.
-H adds a header; Authorization, Proxy-Authorization, Host, Content-Length and
Transfer-Encoding (and Boku's signed Content-Type and X-SignedResponse) are refused.`,
		Example: `  bokuctl api /billing/3.0/query-charge -f country=GB -f merchant-request-id=order-1
  bokuctl api /billing/3.0/charge --input charge.xml -o json
  bokuctl api --provider worldline payments/PAYMENT_ID -f returnOperations=true
  bokuctl api --provider worldline /services/v1/ping -i
  bokuctl api --provider ottu /b/pbl/v2/payment-methods/ -f plugin=e_commerce --jq '.payment_methods[].code'`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, f, providers, opts, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.method, "method", "X", "", "HTTP method (default: POST with a body, else GET; Boku: always POST)")
	fl.StringArrayVarP(&opts.headers, "header", "H", nil, "an extra header 'Name: value', repeatable")
	fl.StringArrayVarP(&opts.rawFields, "raw-field", "f", nil, "a string field name=value of the body (a.b nests), repeatable")
	fl.StringArrayVarP(&opts.typedFields, "field", "F", nil, "a typed JSON field name=value: true, false, null, numbers, @FILE (Worldline, Ottu)")
	fl.StringVar(&opts.input, "input", "", "the request body from a file (- for stdin), sent as given")
	fl.BoolVarP(&opts.include, "include", "i", false, "print the status line and headers before the body")
	fl.StringVar(&opts.country, "country", "", "Boku: the API country (host), when the profile has none")
	// A flag of its own: the global --provider names the payment
	// providers only, and api also speaks to Ottu.
	fl.StringVar(&opts.provider, "provider", "", "boku, worldline or ottu (default: the profile's)")
	cmd.RegisterFlagCompletionFunc("provider", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, p := range providers.All() {
			names = append(names, string(p.Describe().Name))
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func run(cmd *cobra.Command, f *cmdutil.Factory, providers *provider.Registry, opts *options, path string) error {
	req := &provider.APIRequest{Method: opts.method, Path: path, Include: opts.include, Country: opts.country, Header: http.Header{}}
	if opts.method != "" && !validMethod(opts.method) {
		return exitcode.New(exitcode.Usage, "-X %s: not an HTTP method", cmdutil.QuoteValue(opts.method)).WithHint("use GET, POST, PUT, PATCH, DELETE or HEAD")
	}
	for _, h := range opts.headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return exitcode.New(exitcode.Usage, "-H %s: give 'Name: value'", cmdutil.QuoteValue(h))
		}
		req.Header.Add(name, strings.TrimSpace(value))
	}
	stdinUsed := opts.input == "-"
	for _, arg := range opts.rawFields {
		field, err := provider.ParseField(arg, false)
		if err != nil {
			return err
		}
		req.Fields = append(req.Fields, field)
	}
	for _, arg := range opts.typedFields {
		field, err := provider.ParseField(arg, true)
		if err != nil {
			return err
		}
		if file, ok := strings.CutPrefix(field.Value, "@"); ok {
			if file == "-" && stdinUsed {
				return exitcode.New(exitcode.Usage, "-F %s=@-: stdin is read once", field.Name)
			}
			stdinUsed = stdinUsed || file == "-"
			data, err := readInput(f, file, "-F "+field.Name)
			if err != nil {
				return err
			}
			field.Value = strings.TrimSuffix(string(data), "\n")
			field.Typed = false // a file's content is a string, as gh api reads it
		}
		req.Fields = append(req.Fields, field)
	}
	if opts.input != "" {
		if len(req.Fields) > 0 {
			return exitcode.New(exitcode.Usage, "--input and -f/-F cannot be used together").WithHint("put every field in the body, or build it from fields")
		}
		data, err := readInput(f, opts.input, "--input")
		if err != nil {
			return err
		}
		req.Input, req.HasInput = data, true
	}
	p, err := selectProvider(f, providers, opts.provider)
	if err != nil {
		return err
	}
	caller, ok := p.(provider.APICaller)
	if !ok {
		return exitcode.New(exitcode.Usage, "bokuctl api is not available for %s", p.Describe().Name)
	}
	f.Provider = string(p.Describe().Name)
	return caller.API(cmd.Context(), f, req)
}

// selectProvider is --provider, else the profile's provider setting when
// something set it, else the one provider the profile has settings for,
// else the default (boku).
func selectProvider(f *cmdutil.Factory, providers *provider.Registry, flag string) (provider.Provider, error) {
	var names []string
	for _, p := range providers.All() {
		names = append(names, string(p.Describe().Name))
	}
	if flag != "" {
		p, ok := providers.Lookup(provider.Name(strings.ToLower(flag)))
		if !ok {
			return nil, exitcode.New(exitcode.Usage, "invalid value %q for --provider", flag).WithHint("use --provider %s", strings.Join(names, " or --provider "))
		}
		return p, nil
	}
	settings, err := f.Settings()
	if err != nil {
		return nil, err
	}
	chosen := settings.Lookup("provider")
	if chosen.Source != config.SourceDefault && chosen.Source != config.SourceUnset {
		if p, ok := providers.Lookup(provider.Name(chosen.Value)); ok {
			return p, nil
		}
	}
	var configured []provider.Provider
	for _, p := range providers.All() {
		if p.Describe().Configured(settings.Get) {
			configured = append(configured, p)
		}
	}
	if len(configured) == 1 {
		return configured[0], nil
	}
	if p, ok := providers.Lookup(provider.Name(settings.Get("provider"))); ok {
		return p, nil
	}
	return nil, exitcode.New(exitcode.Usage, "no provider: use --provider %s", strings.Join(names, " or --provider "))
}

func validMethod(m string) bool {
	switch strings.ToUpper(m) {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD":
		return true
	}
	return false
}

// readInput reads a body from a file, or stdin for "-", at most maxInput
// bytes; what names the flag for messages.
func readInput(f *cmdutil.Factory, name, what string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = f.IO.In
	} else {
		file, err := os.Open(name)
		if err != nil {
			return nil, exitcode.New(exitcode.Usage, "%s: %v", what, err)
		}
		defer file.Close()
		r = file
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "%s: %v", what, err)
	}
	if len(data) > maxInput {
		return nil, exitcode.New(exitcode.Usage, "%s: larger than %d bytes", what, maxInput)
	}
	return data, nil
}
