// Package initcmd is `bokuctl init`: a profile's settings and secret for one
// provider, from its description, and its harmless check.
package initcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

// initResult is what init did.
type initResult struct {
	Profile  string `json:"profile"`
	Provider string `json:"provider"`
	Created  bool   `json:"created"`
	Secret   string `json:"secret"`
	// SecretSource is where the secret is: store, env, missing, or
	// not-stored (read from stdin and used for the check, but there is no
	// secret store on this machine to keep it in).
	SecretSource string `json:"secret_source"`
	Check        string `json:"check"`
	ConfigFile   string `json:"config_file"`
}

func (r initResult) Table() output.Table {
	return output.Table{Fields: []output.Field{
		{Label: "Profile", Value: output.Text(r.Profile)},
		{Label: "Provider", Value: output.Text(r.Provider)},
		{Label: "Secret", Value: output.Text(r.Secret + " (" + r.SecretSource + ")")},
		{Label: "Check", Value: output.Status(r.Check)},
		{Label: "Config file", Value: output.Text(r.ConfigFile)},
	}}
}

// Options are what init runs with: its dependencies, its arguments
// (provider and profile, both optional) and flags.
type Options struct {
	Command   *cobra.Command
	Factory   *cmdutil.Factory
	Providers *provider.Registry
	Args      []string
	// Settings are the setting flags by setting name (boku.merchant-id →
	// --boku-merchant-id); the ones given are Changed.
	Settings map[string]*pflag.Flag
	NoCheck  bool
}

// NewCmd builds init over the providers' descriptions and Checker.
// runF, when not nil, is called with the options in place of the run
// (tests).
func NewCmd(f *cmdutil.Factory, providers *provider.Registry, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, Providers: providers, Settings: map[string]*pflag.Flag{}}
	values := opts.Settings
	cmd := &cobra.Command{
		Use:   "init [boku|worldline|ottu] [PROFILE]",
		Short: "Set up a profile for a provider: settings, secret, and a harmless check",
		Long: `Create (or complete) a profile for one provider, store its secret, and check
them with one call that cannot move money: Boku, a signed query-charge for
a merchant request id that does not exist; Worldline, an access token and
the ping service; Ottu, the payment methods list. Then print what to run
next.

On a terminal it asks for whatever is missing (the secret without echo;
Ctrl-C cancels). In a script, give the settings as flags, as for
profile add, and the secret in its environment variable or on stdin; every
missing setting is named at once. The secret goes to the secret store; if
it came from the environment it is used, not stored. On a machine with no
secret store (no keyring, no BOKUCTL_KEYRING_FILE) a piped secret is used
for the check but cannot be kept: once the check passes (a failing check
exits with its own code first), init exits 4 and names the two ways to
keep it (its environment variable, or the file store then secret set). What
to run next is printed only when the profile works. --no-check skips the
call.`,
		Example: `  bokuctl init                                        # asks for everything
  printf %s "$BOKU_KEY" | bokuctl init boku shop --boku-merchant-id m-123 --boku-key-id k1 --boku-country gb
  BOKUCTL_WORLDLINE_CLIENT_SECRET=… bokuctl init worldline eu --worldline-acquirer-id 100812 \
    --worldline-merchant-id 520002526 --worldline-client-id my-client`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Command, opts.Args = cmd, args
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	for _, key := range config.Keys() {
		if key.Name == "provider" || key.Name == "sandbox" {
			continue
		}
		cmd.Flags().String(key.FlagName(), "", key.Help)
		values[key.Name] = cmd.Flags().Lookup(key.FlagName())
	}
	cmd.Flags().BoolVar(&opts.NoCheck, "no-check", false, "do not make the check call")
	return cmd
}

// Run sets up the profile as opts say.
func Run(opts *Options) error {
	return runInit(opts.Command, opts.Factory, opts.Providers, opts.Args, opts.Settings, opts.NoCheck)
}

func runInit(cmd *cobra.Command, f *cmdutil.Factory, providers *provider.Registry, args []string, values map[string]*pflag.Flag, noCheck bool) error {
	ctx := cmd.Context()
	interactive := f.CanPrompt()
	// 1. Which provider, and which profile.
	which := ""
	if len(args) > 0 {
		which = strings.ToLower(args[0])
	} else if interactive {
		answer, err := f.Ask(ctx, fmt.Sprintf("Provider (%s)", strings.Join(registered(providers), ", ")), providers.PaymentNames()[0])
		if err != nil {
			return err
		}
		which = strings.ToLower(answer)
	}
	chosen, ok := providers.Lookup(provider.Name(which))
	if !ok {
		names := registered(providers)
		if which == "" {
			return exitcode.New(exitcode.Usage, "which provider? give %s or %s", strings.Join(names[:len(names)-1], ", "), names[len(names)-1]).WithHint("bokuctl init boku shop --boku-merchant-id … (see bokuctl init --help)")
		}
		sort.Strings(names)
		return exitcode.New(exitcode.Usage, "unknown provider %q: give %s", which, strings.Join(names, ", "))
	}
	setup := chosen.Describe()
	file, err := f.Config()
	if err != nil {
		return err
	}
	name := f.ProfileFlag
	if len(args) > 1 {
		name = args[1]
	}
	if name == "" {
		name = which
		if interactive {
			if name, err = f.Ask(ctx, "Profile name", which); err != nil {
				return err
			}
		}
	}
	if err := config.ValidateProfileName(name); err != nil {
		return err
	}

	// 2. The settings: flags, then what the profile has, then questions.
	profile := config.Profile{}
	for k, v := range file.Profiles[name] {
		profile[k] = v
	}
	if err := cmdutil.FlagSettings(values, profile); err != nil {
		return err
	}
	get := func(key string) string { return profile[key] }
	required := setup.Setup(get)
	var missing []string
	for i := 0; i < len(required); i++ {
		keyName := required[i]
		key, _ := config.LookupKey(keyName)
		if profile[keyName] != "" || f.Getenv(key.EnvVar()) != "" || keyName == "ottu.host" && profile["ottu.base-url"] != "" {
			continue
		}
		if !interactive {
			if key.Default != "" {
				continue
			}
			missing = append(missing, "--"+key.FlagName()+" VALUE")
			continue
		}
		for {
			answer, err := f.Ask(ctx, fmt.Sprintf("%s (%s)", keyName, key.Help), key.Default)
			if err != nil {
				return err
			}
			value := key.Normalize(answer)
			if err := key.Validate(value); err != nil || value == "" {
				if err == nil {
					err = errors.New("a value is needed")
				}
				fmt.Fprintf(f.IO.ErrOut, "  %v\n", err)
				continue
			}
			profile[keyName] = value
			break
		}
		required = setup.Setup(get) // an answer may ask for more (ottu.auth basic: a username)
	}
	if len(missing) > 0 {
		return exitcode.New(exitcode.Usage, "%s needs %d more setting(s): nothing was written", which, len(missing)).
			WithHint("bokuctl init %s %s %s", which, name, strings.Join(missing, " "))
	}
	if setup.Payments {
		profile["provider"] = string(setup.Name)
	}

	// 3. The secret: the environment, else stdin, else a question.
	secretName := setup.Secrets(get)[0]
	spec, _ := secret.Lookup(secretName)
	result := initResult{Profile: name, Provider: which, Secret: secretName, ConfigFile: file.Path}
	value, source := "", "env"
	store := f.SecretStore()
	account := secret.Account(name, secretName)
	if f.Getenv(spec.EnvVar) == "" {
		source = "store"
		_, getErr := store.Get(ctx, account)
		reachable := getErr == nil || errors.Is(getErr, secret.ErrNotFound)
		switch {
		case !reachable:
			// Nowhere to keep it. A piped secret is still read, so that the
			// check below can vouch for it; the exit-4 hint says how to
			// keep it. It is never echoed.
			source = "missing"
			if _, isTerminal := f.IO.StdinIsTerminal(); !interactive && !isTerminal {
				data, err := io.ReadAll(io.LimitReader(f.IO.In, cmdutil.MaxSecretSize+1))
				if err != nil || len(data) > cmdutil.MaxSecretSize {
					return exitcode.New(exitcode.Usage, "cannot read the %s from stdin", secretName)
				}
				if piped := string(bytes.TrimSuffix(bytes.TrimSuffix(data, []byte("\n")), []byte("\r"))); piped != "" {
					source = "not-stored"
					getenv := f.Getenv
					f.Getenv = func(key string) string {
						if key == spec.EnvVar {
							return piped
						}
						return getenv(key)
					}
				}
			}
			if source == "not-stored" {
				use := "is used for the check below but not stored"
				if noCheck {
					use = "is not stored (and --no-check makes no call with it)"
				}
				f.Printer.Notice("Warning: %v: there is no secret store on this machine, so the %s from stdin %s.", getErr, secretName, use)
			} else {
				f.Printer.Notice("Warning: %v: there is no secret store on this machine to keep the %s in.", getErr, secretName)
			}
		case interactive:
			if getErr == nil {
				f.Printer.Notice("%s is already stored for profile %q; press Enter to keep it.", secretName, name)
			}
			if value, err = f.ReadHidden(ctx, fmt.Sprintf("%s (input hidden; Ctrl-C cancels): ", spec.Help), "nothing was written"); err != nil {
				return err
			}
			if value == "" && getErr != nil {
				source = "missing"
			}
		default:
			if _, isTerminal := f.IO.StdinIsTerminal(); !isTerminal {
				data, err := io.ReadAll(io.LimitReader(f.IO.In, cmdutil.MaxSecretSize+1))
				if err != nil || len(data) > cmdutil.MaxSecretSize {
					return exitcode.New(exitcode.Usage, "cannot read the %s from stdin", secretName)
				}
				value = string(bytes.TrimSuffix(bytes.TrimSuffix(data, []byte("\n")), []byte("\r")))
			}
			if value == "" && getErr != nil {
				source = "missing"
			}
		}
	}
	result.SecretSource = source

	// 4. Write the profile, then the secret.
	if err := file.Update(func(file *config.File) error {
		_, existed := file.Profiles[name]
		result.Created = !existed
		file.Profiles[name] = profile
		if file.CurrentProfile == "" {
			file.CurrentProfile = name
		}
		return nil
	}); err != nil {
		return err
	}
	f.Printer.Notice("%s profile %q in %s.", map[bool]string{true: "Created", false: "Updated"}[result.Created], name, file.Path)
	if value != "" {
		if err := store.Set(ctx, account, value); err != nil {
			return cmdutil.StoreError(err, spec)
		}
		f.Printer.Notice("Stored %s for profile %q in the %s.", secretName, name, store.Describe())
	}

	// 5. One call that cannot move money.
	f.ProfileFlag = name
	result.Check = "skipped"
	if source == "missing" {
		result.Check = "no secret"
	} else if !noCheck {
		if err := initCheck(ctx, f, chosen); err != nil {
			result.Check = "failed"
			if printErr := f.Printer.Print(result); printErr != nil {
				return printErr
			}
			return err
		}
		result.Check = "ok"
	}
	if err := f.Printer.Print(result); err != nil {
		return err
	}
	switch {
	case source == "not-stored":
		return exitcode.New(exitcode.Auth, "profile %q is written, but its %s is not stored anywhere: the next command will not find it", name, secretName).
			WithHint("keep it in the environment wherever the profile is used (export %s=…), or in a 0600 file store: export %s=$HOME/.config/bokuctl/secrets.json, then printf %%s \"$VALUE\" | bokuctl secret set %s -p %s",
				spec.EnvVar, secret.FileStoreEnv, secretName, name)
	case source == "missing" && result.SecretSource == "missing" && !storeReachable(ctx, store, account):
		return exitcode.New(exitcode.Auth, "profile %q has no %s yet, and this machine has no secret store", name, secretName).
			WithHint("set %s in the environment wherever the profile is used, or use a 0600 file store: export %s=$HOME/.config/bokuctl/secrets.json, then printf %%s \"$VALUE\" | bokuctl secret set %s -p %s",
				spec.EnvVar, secret.FileStoreEnv, secretName, name)
	case source == "missing":
		return exitcode.New(exitcode.Auth, "profile %q has no %s yet", name, secretName).
			WithHint("printf %%s \"$VALUE\" | bokuctl secret set %s -p %s, or set %s", secretName, name, spec.EnvVar)
	}
	// Only a profile that works is told what to run next.
	f.Printer.Notice("Next: %s", initNext(chosen, name))
	return nil
}

// storeReachable reports whether the secret store answers.
func storeReachable(ctx context.Context, store secret.Store, account string) bool {
	_, err := store.Get(ctx, account)
	return err == nil || errors.Is(err, secret.ErrNotFound)
}

// initCheck makes the provider's harmless call with the new profile.
func initCheck(ctx context.Context, f *cmdutil.Factory, p provider.Provider) error {
	checker, ok := p.(provider.Checker)
	if !ok {
		return nil
	}
	notice, err := checker.Check(ctx, f)
	if err != nil {
		return err
	}
	f.Printer.Notice("%s", notice)
	return nil
}

func initNext(p provider.Provider, name string) string {
	if checker, ok := p.(provider.Checker); ok {
		return checker.Next(name)
	}
	return "bokuctl -p " + name + " --help"
}

// registered names the providers init knows, in registration order.
func registered(providers *provider.Registry) []string {
	var names []string
	for _, p := range providers.All() {
		names = append(names, string(p.Describe().Name))
	}
	return names
}
