// Package profile is `bokuctl profile`: add, change, list, show, choose and
// remove profiles, and import them from other tools' configuration.
package profile

import (
	"context"
	"errors"
	"fmt"
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

func NewCmd(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command {
	return cmdutil.WithExample(cmdutil.GroupCmd("profile", "Manage profiles: named sets of provider settings",
		newProfileAddCmd(f, providers),
		newProfileSetCmd(f, providers),
		newProfileUnsetCmd(f, providers),
		newProfileListCmd(f, providers),
		newProfileShowCmd(f),
		newProfileUseCmd(f),
		newProfileRemoveCmd(f),
		newProfileImportCmd(f),
	), `  bokuctl profile add shop --provider boku --boku-merchant-id m-123 --boku-key-id k1 --boku-country gb
  bokuctl profile list
  bokuctl profile use shop`)
}

// profileResult is one profile as stored in the file.
type profileResult struct {
	Name       string            `json:"name"`
	Current    bool              `json:"current"`
	ConfigFile string            `json:"config_file"`
	Settings   map[string]string `json:"settings"`
}

func (p profileResult) Table() output.Table {
	fields := []output.Field{
		{Label: "Profile", Value: output.Text(p.Name)},
		{Label: "Current", Value: output.Text(cmdutil.YesNo(p.Current))},
		{Label: "Config file", Value: output.Text(p.ConfigFile)},
	}
	names := make([]string, 0, len(p.Settings))
	for name := range p.Settings {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fields = append(fields, output.Field{Label: name, Value: output.Text(p.Settings[name])})
	}
	return output.Table{Fields: fields}
}

func newProfileResult(file *config.File, name string) profileResult {
	settings := map[string]string{}
	for k, v := range file.Profiles[name] {
		if v != "" {
			settings[k] = v
		}
	}
	return profileResult{Name: name, Current: file.CurrentProfile == name, ConfigFile: file.Path, Settings: settings}
}

// existingProfile loads the file and returns it if the named profile is in
// it; a missing profile is a usage error here, since the user named it.
func existingProfile(f *cmdutil.Factory, name string) (*config.File, error) {
	if err := config.ValidateProfileName(name); err != nil {
		return nil, err
	}
	file, err := f.Config()
	if err != nil {
		return nil, err
	}
	if _, err := file.Profile(name); err != nil {
		return nil, &exitcode.Error{Code: exitcode.Usage, Err: err, Hint: exitcode.HintOf(err)}
	}
	return file, nil
}

type profileAddOptions struct {
	Name   string
	Use    bool
	Values map[string]*pflag.Flag
}

func newProfileAddCmd(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command {
	opts := &profileAddOptions{Values: map[string]*pflag.Flag{}}
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Create a profile",
		Long: `Create a profile with the settings given as flags. The first profile becomes
the current one. Secrets are not settings: store them with ` + "`bokuctl secret set`" + `.`,
		Example: `  bokuctl profile add shop --provider boku --boku-merchant-id m-123 --boku-key-id k1 --boku-country gb
  bokuctl profile add eu --provider worldline --worldline-client-id my-client --use`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return profileAdd(f, providers, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Use, "use", false, "make it the current profile")
	for _, key := range config.Keys() {
		if key.Name == "provider" {
			// The global --provider flag sets it.
			continue
		}
		cmd.Flags().String(key.FlagName(), "", key.Help)
		opts.Values[key.Name] = cmd.Flags().Lookup(key.FlagName())
	}
	return cmd
}

func profileAdd(f *cmdutil.Factory, providers *provider.Registry, opts *profileAddOptions) error {
	if err := config.ValidateProfileName(opts.Name); err != nil {
		return err
	}
	file, err := f.Config()
	if err != nil {
		return err
	}
	if _, exists := file.Profiles[opts.Name]; exists {
		return exitcode.New(exitcode.Usage, "profile %q already exists in %s", opts.Name, file.Path).
			WithHint("change a value with `bokuctl profile set %s KEY VALUE`", opts.Name)
	}
	flags := map[string]*pflag.Flag{"provider": f.ProviderFlag}
	for k, v := range opts.Values {
		flags[k] = v
	}
	profile := config.Profile{}
	if err := cmdutil.FlagSettings(flags, profile); err != nil {
		return err
	}
	if err := file.Update(func(file *config.File) error {
		if _, exists := file.Profiles[opts.Name]; exists {
			return exitcode.New(exitcode.Usage, "profile %q already exists in %s", opts.Name, file.Path).
				WithHint("change a value with `bokuctl profile set %s KEY VALUE`", opts.Name)
		}
		file.Profiles[opts.Name] = profile
		if opts.Use || file.CurrentProfile == "" {
			file.CurrentProfile = opts.Name
		}
		return nil
	}); err != nil {
		return err
	}
	f.Printer.Notice("Added profile %q to %s.", opts.Name, file.Path)
	warnProductionOverride(f, providers, opts.Name, file.Profiles[opts.Name])
	return f.Printer.Print(newProfileResult(file, opts.Name))
}

func newProfileSetCmd(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command {
	return &cobra.Command{
		Use:   "set NAME KEY VALUE",
		Short: "Change one setting of a profile",
		Long: "Change one setting of a profile. Keys:\n\n" + keyHelp() +
			"\nSecrets are not settings: store them with `bokuctl secret set`.",
		Example: "  bokuctl profile set shop boku.country de",
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(3)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return profileSet(f, providers, args[0], args[1], args[2])
		},
	}
}

func newProfileUnsetCmd(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command {
	return &cobra.Command{
		Use:     "unset NAME KEY",
		Short:   "Remove one setting from a profile",
		Example: "  bokuctl profile unset shop boku.base-url",
		Args:    cmdutil.UsageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return profileSet(f, providers, args[0], args[1], "")
		},
	}
}

func keyHelp() string {
	var b strings.Builder
	for _, k := range config.Keys() {
		fmt.Fprintf(&b, "  %-22s %s\n", k.Name, k.Help)
	}
	return b.String()
}

func profileSet(f *cmdutil.Factory, providers *provider.Registry, name, keyName, value string) error {
	key, ok := config.LookupKey(keyName)
	if !ok {
		err := exitcode.New(exitcode.Usage, "unknown setting %s", cmdutil.QuoteValue(keyName))
		if _, lookErr := secret.Lookup(keyName); lookErr == nil {
			return err.WithHint("%s is a secret: store it with `bokuctl secret set %s -p %s` (value on stdin)", keyName, keyName, name)
		}
		names := make([]string, 0)
		for _, k := range config.Keys() {
			names = append(names, k.Name)
		}
		return err.WithHint("known settings: %s", strings.Join(names, ", "))
	}
	value = key.Normalize(value)
	if err := key.Validate(value); err != nil {
		return exitcode.New(exitcode.Usage, "%s", config.ShortenValue(err.Error(), value))
	}
	file, err := existingProfile(f, name)
	if err != nil {
		return err
	}
	if _, had := file.Profiles[name][key.Name]; value == "" && !had {
		f.Printer.Notice("%s was not set for profile %q: nothing changed.", key.Name, name)
		return f.Printer.Print(newProfileResult(file, name))
	}
	if err := file.Update(func(file *config.File) error {
		if _, err := file.Profile(name); err != nil {
			return &exitcode.Error{Code: exitcode.Usage, Err: err, Hint: exitcode.HintOf(err)}
		}
		if value == "" {
			delete(file.Profiles[name], key.Name)
		} else {
			file.Profiles[name][key.Name] = value
		}
		return nil
	}); err != nil {
		return err
	}
	if value == "" {
		f.Printer.Notice("Removed %s from profile %q.", key.Name, name)
	} else {
		f.Printer.Notice("Set %s of profile %q.", key.Name, name)
	}
	warnProductionOverride(f, providers, name, file.Profiles[name])
	return f.Printer.Print(newProfileResult(file, name))
}

// warnProductionOverride says, when a profile is written, that a
// provider takes it for a production profile whose host a setting
// overrides, so the mistake is named where it is made, not at the next
// command (which is refused).
func warnProductionOverride(f *cmdutil.Factory, providers *provider.Registry, name string, profile config.Profile) {
	if providers == nil {
		return
	}
	for _, o := range provider.ProductionOverrides(providers, func(key string) string { return profile[key] }) {
		f.Printer.Notice("Warning: profile %q is a %s production profile, and %s sends it elsewhere than %s's production host: every command with it is refused until you unset it (bokuctl profile unset %s %s).",
			name, o.Title, o.Setting, o.Title, name, o.Setting)
	}
}

// profileListResult is the output of `profile list`.
type profileListResult struct {
	CurrentProfile string           `json:"current_profile"`
	ConfigFile     string           `json:"config_file"`
	Profiles       []profileSummary `json:"profiles"`
}

type profileSummary struct {
	Name      string   `json:"name"`
	Current   bool     `json:"current"`
	Provider  string   `json:"provider"`
	Providers []string `json:"configured_providers"`
}

func (r profileListResult) Table() output.Table {
	t := output.Table{Header: []string{"", "name", "provider", "configured"}}
	for _, p := range r.Profiles {
		marker := ""
		if p.Current {
			marker = "*"
		}
		t.Rows = append(t.Rows, []output.Cell{
			output.Text(marker), output.Text(p.Name), output.Text(p.Provider), output.Text(strings.Join(p.Providers, ",")),
		})
	}
	return t
}

func newProfileListCmd(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List profiles; * marks the current one",
		Example: "  bokuctl profile list\n  bokuctl profile list -o json",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := f.Config()
			if err != nil {
				return err
			}
			result := profileListResult{CurrentProfile: file.CurrentProfile, ConfigFile: file.Path, Profiles: []profileSummary{}}
			for _, name := range file.Names() {
				p := file.Profiles[name]
				uses := p["provider"]
				if uses == "" {
					uses = providers.PaymentNames()[0] // the provider setting's default
				}
				summary := profileSummary{Name: name, Current: name == file.CurrentProfile, Provider: uses, Providers: []string{}}
				for _, prov := range providers.All() {
					section := prov.Describe().Section
					for key := range p {
						if strings.HasPrefix(key, section+".") {
							summary.Providers = append(summary.Providers, section)
							break
						}
					}
				}
				result.Profiles = append(result.Profiles, summary)
			}
			if len(result.Profiles) == 0 && !f.Printer.JSON() {
				f.Printer.Notice("No profiles in %s. Create one with `bokuctl profile add NAME`.", file.Path)
				return nil
			}
			return f.Printer.Print(result)
		},
	}
}

// profileShowResult is the effective configuration of a profile.
type profileShowResult struct {
	Profile    string           `json:"profile"`
	InFile     bool             `json:"in_file"`
	Current    bool             `json:"current"`
	ConfigFile string           `json:"config_file"`
	Settings   []config.Setting `json:"settings"`
}

func (r profileShowResult) Table() output.Table {
	t := output.Table{Header: []string{"setting", "value", "source"}}
	for _, s := range r.Settings {
		source := string(s.Source)
		if s.Source == config.SourceFlag || s.Source == config.SourceEnv {
			source += " " + s.Origin
		}
		value := output.Text(s.Value)
		if s.Source == config.SourceUnset {
			value = output.Cell{Text: "-", Tone: output.Muted}
		}
		t.Rows = append(t.Rows, []output.Cell{output.Text(s.Key), value, output.Text(source)})
	}
	return t
}

func newProfileShowCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "show [NAME]",
		Short: "Show a profile's effective settings and where each came from",
		Long: `Show the settings a command would use with this profile (default: the
active one), and the source of each: flag, env (BOKUCTL_…), file or default.
Precedence: flag > environment > profile in the config file > default.`,
		Example: `  bokuctl profile show                    # the current profile
  bokuctl profile show shop
  BOKUCTL_BOKU_COUNTRY=de bokuctl profile show shop   # boku.country now comes from env`,
		Args: cmdutil.UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := f.Config()
			if err != nil {
				return err
			}
			var settings *config.Settings
			if len(args) == 1 {
				if _, err := existingProfile(f, args[0]); err != nil {
					return err
				}
				settings, err = f.SettingsFor(file, args[0])
			} else {
				settings, err = f.Settings()
			}
			if err != nil {
				return err
			}
			_, inFile := file.Profiles[settings.Profile]
			if !inFile {
				f.Printer.Notice("Profile %q is not in %s: only environment variables, flags and defaults apply.", settings.Profile, file.Path)
			}
			return f.Printer.Print(profileShowResult{
				Profile:    settings.Profile,
				InFile:     inFile,
				Current:    settings.Profile == file.CurrentProfile,
				ConfigFile: file.Path,
				Settings:   settings.All(),
			})
		},
	}
}

func newProfileUseCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "use NAME",
		Short: "Make a profile the current one",
		Example: `  bokuctl profile use shop
  bokuctl -p eu charge status pay:ch:etu:…   # one command with another profile, without switching`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := existingProfile(f, args[0])
			if err != nil {
				return err
			}
			if err := file.Update(func(file *config.File) error {
				if _, err := file.Profile(args[0]); err != nil {
					return &exitcode.Error{Code: exitcode.Usage, Err: err, Hint: exitcode.HintOf(err)}
				}
				file.CurrentProfile = args[0]
				return nil
			}); err != nil {
				return err
			}
			f.Printer.Notice("Now using profile %q.", args[0])
			return f.Printer.Print(newProfileResult(file, args[0]))
		},
	}
}

// profileRemoveResult is the output of `profile remove`.
type profileRemoveResult struct {
	Removed        string   `json:"removed"`
	SecretsDeleted []string `json:"secrets_deleted"`
}

func (r profileRemoveResult) Table() output.Table {
	return output.Table{Fields: []output.Field{
		{Label: "Removed", Value: output.Text(r.Removed)},
		{Label: "Secrets deleted", Value: output.Text(cmdutil.OrNone(strings.Join(r.SecretsDeleted, ", ")))},
	}}
}

func newProfileRemoveCmd(f *cmdutil.Factory) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "remove NAME",
		Aliases: []string{"rm"},
		Short:   "Remove a profile and its stored secrets",
		Long: `Remove a profile from the config file and delete its secrets from the
keyring. On a terminal it asks for confirmation; elsewhere it refuses
unless --yes is given.`,
		Example: `  bokuctl profile remove old-shop
  bokuctl profile remove old-shop --yes   # in a script`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			file, err := existingProfile(f, name)
			if err != nil {
				return err
			}
			if err := f.Confirm(cmd.Context(), yes, "removing a profile",
				fmt.Sprintf("Remove profile %q and its stored secrets? Type the profile name to confirm: ", name), name); err != nil {
				return err
			}
			if err := file.Update(func(file *config.File) error {
				delete(file.Profiles, name)
				if file.CurrentProfile == name {
					file.CurrentProfile = ""
				}
				return nil
			}); err != nil {
				return err
			}
			deleted := deleteProfileSecrets(cmd.Context(), f, name)
			f.Printer.Notice("Removed profile %q.", name)
			return f.Printer.Print(profileRemoveResult{Removed: name, SecretsDeleted: deleted})
		},
	}
	cmdutil.AddYesFlag(cmd, &yes)
	return cmd
}

// deleteProfileSecrets removes every secret of a profile from the store,
// warning (not failing) when the store cannot be reached.
func deleteProfileSecrets(ctx context.Context, f *cmdutil.Factory, profile string) []string {
	store := f.SecretStore()
	deleted := []string{}
	for _, spec := range secret.Specs() {
		err := store.Delete(ctx, secret.Account(profile, spec.Name))
		switch {
		case err == nil:
			deleted = append(deleted, spec.Name)
		case errors.Is(err, secret.ErrNotFound):
		default:
			f.Printer.Notice("Warning: could not delete the secrets of profile %q: %v", profile, err)
			return deleted
		}
	}
	return deleted
}
