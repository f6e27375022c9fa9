// Package secret is `bokuctl secret`: store, delete and check a profile's
// secrets.
package secret

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/internal/provider"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

func NewCmd(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command {
	return cmdutil.WithExample(cmdutil.GroupCmd("secret", "Store, check and delete a profile's secrets",
		newSecretSetCmd(f),
		newSecretDeleteCmd(f),
		newSecretStatusCmd(f, providers),
	), `  bokuctl secret set boku-key -p shop       # asks for the value, or reads it from stdin
  bokuctl secret status -p shop
  bokuctl secret delete boku-key -p shop`)
}

func secretNamesHelp() string {
	var b bytes.Buffer
	for _, s := range secret.Specs() {
		fmt.Fprintf(&b, "  %-24s %s (env %s)\n", s.Name, s.Help, s.EnvVar)
	}
	return b.String()
}

// secretResult reports a secret's presence, never its value.
type secretResult struct {
	Profile string `json:"profile"`
	Name    string `json:"name"`
	Set     bool   `json:"set"`
	// State is yes, no, or unknown (the store cannot be reached).
	State    string `json:"state"`
	Required bool   `json:"required"`
	Source   string `json:"source"`
	Origin   string `json:"origin,omitempty"`
}

func (r secretResult) Table() output.Table {
	return output.Table{Fields: []output.Field{
		{Label: "Profile", Value: output.Text(r.Profile)},
		{Label: "Secret", Value: output.Text(r.Name)},
		{Label: "Set", Value: output.Status(cmdutil.YesNo(r.Set))},
		{Label: "Stored in", Value: output.Text(cmdutil.OrNone(r.Origin))},
	}}
}

func newSecretSetCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "set NAME",
		Short: "Store a secret for the active profile, read from stdin",
		Long: `Store a secret for the active profile in the OS keyring. The value is read
from stdin: typed without echo on a terminal, or piped. It is never taken
from a flag or an argument, so it stays out of shell history and process
lists. Secrets:

` + secretNamesHelp() + `
Environment variables beat the keyring, for CI. Where no keyring is
reachable, set BOKUCTL_KEYRING_FILE to a file path to use a plain-text
0600 file instead (for tests and headless machines only).`,
		Example: `  bokuctl secret set boku-key -p shop
  printf %s "$BOKU_KEY" | bokuctl secret set boku-key -p shop`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				// Never echo the extra arguments: one of them may be the secret.
				return exitcode.New(exitcode.Usage, "secret set takes only the secret's name; the value is read from stdin").
					WithHint("pipe it in: printf %%s \"$VALUE\" | bokuctl secret set NAME")
			}
			return cmdutil.UsageArgs(cobra.ExactArgs(1))(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := secret.Lookup(args[0])
			if err != nil {
				return err
			}
			profile, _, err := f.ProfileName()
			if err != nil {
				return err
			}
			// Ask the store first: a value typed for a store that cannot
			// keep it would be lost.
			store := f.SecretStore()
			account := secret.Account(profile, spec.Name)
			if _, err := store.Get(cmd.Context(), account); err != nil && !errors.Is(err, secret.ErrNotFound) {
				return cmdutil.StoreError(err, spec)
			}
			value, err := readSecret(cmd.Context(), f, spec)
			if err != nil {
				return err
			}
			if err := store.Set(cmd.Context(), account, value); err != nil {
				return cmdutil.StoreError(err, spec)
			}
			if f.Getenv(spec.EnvVar) != "" {
				f.Printer.Notice("Note: %s is set in the environment and takes precedence over the stored value.", spec.EnvVar)
			}
			f.Printer.Notice("Stored %s for profile %q.", spec.Name, profile)
			return f.Printer.Print(secretResult{Profile: profile, Name: spec.Name, Set: true, State: "yes", Source: string(secret.SourceStore), Origin: store.Describe()})
		},
	}
}

// readSecret reads the value from stdin: hidden input on a real terminal
// (Ctrl-C or Ctrl-D cancel, exit 130), otherwise everything piped in, less
// one trailing newline.
func readSecret(ctx context.Context, f *cmdutil.Factory, spec secret.Spec) (string, error) {
	var value []byte
	if _, ok := f.IO.StdinIsTerminal(); ok {
		read, err := f.ReadHidden(ctx, fmt.Sprintf("Value for %s (input hidden; Ctrl-C cancels): ", spec.Name), "nothing was stored")
		if err != nil {
			return "", err
		}
		value = []byte(read)
	} else {
		read, err := io.ReadAll(io.LimitReader(f.IO.In, cmdutil.MaxSecretSize+1))
		if err != nil {
			return "", fmt.Errorf("read secret from stdin: %w", err)
		}
		if len(read) > cmdutil.MaxSecretSize {
			return "", exitcode.New(exitcode.Usage, "the value on stdin is over %d KiB; that is not a %s", cmdutil.MaxSecretSize>>10, spec.Name)
		}
		value = bytes.TrimSuffix(bytes.TrimSuffix(read, []byte("\n")), []byte("\r"))
	}
	if len(bytes.TrimSpace(value)) == 0 {
		return "", exitcode.New(exitcode.Usage, "no value for %s on stdin", spec.Name).
			WithHint("pipe it in: printf %%s \"$VALUE\" | bokuctl secret set %s", spec.Name)
	}
	return string(value), nil
}

func newSecretDeleteCmd(f *cmdutil.Factory) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a stored secret of the active profile",
		Long: `Delete a stored secret of the active profile. On a terminal it asks for
confirmation; elsewhere it refuses unless --yes is given.`,
		Example: `  bokuctl secret delete boku-key -p shop
  bokuctl secret delete boku-key -p shop --yes   # in a script`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := secret.Lookup(args[0])
			if err != nil {
				return err
			}
			profile, _, err := f.ProfileName()
			if err != nil {
				return err
			}
			if err := f.Confirm(cmd.Context(), yes, "deleting a secret",
				fmt.Sprintf("Delete %s of profile %q?", spec.Name, profile), ""); err != nil {
				return err
			}
			err = f.SecretStore().Delete(cmd.Context(), secret.Account(profile, spec.Name))
			if errors.Is(err, secret.ErrNotFound) {
				return exitcode.New(exitcode.Usage, "secret %s is not stored for profile %q", spec.Name, profile)
			}
			if err != nil {
				return cmdutil.StoreError(err, spec)
			}
			f.Printer.Notice("Deleted %s of profile %q.", spec.Name, profile)
			if f.Getenv(spec.EnvVar) != "" {
				f.Printer.Notice("Note: %s is still set in the environment.", spec.EnvVar)
			}
			return f.Printer.Print(secretResult{Profile: profile, Name: spec.Name, Set: false, State: "no", Source: string(secret.SourceMissing)})
		},
	}
	cmdutil.AddYesFlag(cmd, &yes)
	return cmd
}

// secretStatusResult lists which secrets the active profile has.
type secretStatusResult struct {
	Profile string         `json:"profile"`
	Secrets []secretResult `json:"secrets"`
}

func (r secretStatusResult) Table() output.Table {
	t := output.Table{Header: []string{"secret", "set", "required", "source"}}
	for _, s := range r.Secrets {
		source := s.Origin
		switch {
		case s.Source == string(secret.SourceEnv):
			source = "env " + s.Origin
		case source == "":
			source = "-"
		}
		t.Rows = append(t.Rows, []output.Cell{output.Text(s.Name), output.Status(s.State), output.Text(cmdutil.YesNo(s.Required)), output.Text(source)})
	}
	return t
}

func newSecretStatusCmd(f *cmdutil.Factory, providers *provider.Registry) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show which secrets the active profile has, and fail if a required one is missing",
		Long: `Show each secret of the active profile: set (and where from: the
environment, the secret store, or the sandbox's public credentials), not
set, or unknown (the secret store cannot be reached). Values are never
shown. A secret is required when the profile's provider or settings call
for it: the secret of the provider the profile names (boku-key for
provider boku, worldline-client-secret for worldline), and that of every
provider it has settings for (boku.merchant-id, worldline.client-id, the
Ottu secret of ottu.auth; worldline-proxy-password with a proxy username).

Exit 4 when a required secret is not set or unknown, 0 otherwise: a check for
CI, like gh auth status.`,
		Example: "  bokuctl secret status -p shop\n  bokuctl secret status -o json --jq '.secrets[] | select(.required) | .state'",
		Args:    cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			profile, _, err := f.ProfileName()
			if err != nil {
				return err
			}
			required := map[string]bool{}
			if settings, err := f.Settings(); err == nil {
				required = providers.RequiredSecrets(settings)
			} else {
				f.Printer.Notice("Warning: %v; showing what the secret store holds for that name", err)
			}
			result := secretStatusResult{Profile: profile}
			var missing, unknown []string
			warned := false
			for _, spec := range secret.Specs() {
				entry := secretResult{Profile: profile, Name: spec.Name, Required: required[spec.Name]}
				resolved, err := f.ResolveSecret(cmd.Context(), spec.Name)
				var unavailable *secret.UnavailableError
				switch {
				case err == nil:
					entry.Set, entry.State, entry.Source, entry.Origin = true, "yes", string(resolved.Source), resolved.Origin
				case errors.As(err, &unavailable):
					entry.State, entry.Source, entry.Origin = "unknown", "unknown", "store unreachable"
					// Warn once, and only when it matters: a secret the
					// profile needs cannot be vouched for.
					if !warned && entry.Required {
						warned = true
						f.Printer.Notice("Warning: %v", unavailable)
					}
				default:
					entry.State, entry.Source = "no", string(secret.SourceMissing)
				}
				if entry.Required && entry.State == "no" {
					missing = append(missing, spec.Name)
				}
				if entry.Required && entry.State == "unknown" {
					unknown = append(unknown, spec.Name)
				}
				result.Secrets = append(result.Secrets, entry)
			}
			if err := f.Printer.Print(result); err != nil {
				return err
			}
			switch {
			case len(missing) > 0:
				first, _ := secret.Lookup(missing[0])
				return exitcode.New(exitcode.Auth, "profile %q needs %s, not set", profile, strings.Join(missing, " and ")).
					WithHint("set it: printf %%s \"$VALUE\" | bokuctl secret set %s -p %s, or set %s in the environment", first.Name, profile, first.EnvVar)
			case len(unknown) > 0:
				first, _ := secret.Lookup(unknown[0])
				return exitcode.New(exitcode.Auth, "cannot tell whether %s is set: the secret store cannot be reached", strings.Join(unknown, " and ")).
					WithHint("on a machine without a keyring set %s in the environment, or set %s to a file path for a 0600 file store", first.EnvVar, secret.FileStoreEnv)
			}
			return nil
		},
	}
}
