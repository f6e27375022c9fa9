// Package cmdutil is the plumbing every bokuctl command shares: the
// Factory (streams, global options, config, profile, settings, secrets),
// the HTTP client builder, command helpers and input checks.
//
// It may import pkg/ and internal/build, never cmd/ or internal/provider.
package cmdutil

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

// Factory carries what every command needs: streams, the global options,
// the printer and lazy access to the config file and the secret store.
// Commands get it from the root command instead of reading globals.
type Factory struct {
	IO     *output.IOStreams
	Getenv func(string) string

	// Global options, filled by flag parsing.
	ProfileFlag string
	ConfigFlag  string
	Output      string
	JQ          string
	JSONFields  string
	Template    string
	NoColor     bool
	Debug       bool
	// DebugOut, when set, receives --debug's log instead of IO.ErrOut:
	// the rows of a batch log to the batch's stderr.
	DebugOut io.Writer
	Timeout  time.Duration
	// ProviderFlag is the persistent --provider flag, nil until registered.
	ProviderFlag *pflag.Flag
	// NoJournal is --no-journal: send without recording in the journal.
	NoJournal bool
	// DryRun is --dry-run: build and sign each request, print it and send
	// nothing (dryrun.go); Curl is --curl, which prints it as curl.
	DryRun bool
	Curl   bool
	// AllowProductionOverride lets a production profile send elsewhere
	// than the provider's production host: set only by the test suite.
	AllowProductionOverride bool
	// Command is the command being run, set once flags are parsed.
	Command *cobra.Command

	// Printer is set once the global flags are parsed and valid.
	Printer *output.Printer
	// SandboxSecret gives the public credential of `bokuctl sandbox
	// serve` by secret name (set by cmd; nil in tests that need none).
	SandboxSecret func(name string) (string, bool)
	// Sends is the process's record of the requests sent, for a signal
	// that stops it (nil: not recorded).
	Sends *Sends
	// ProcessEnds says that the process exits when this run ends (the
	// bokuctl binary, not a test calling Run): CloseJournal leaves the
	// journal instead of closing it (journal.Leave).
	ProcessEnds bool

	// Run is this invocation's own state (run.go); never nil.
	*Run

	config   *config.File
	settings *config.Settings
	journal  journal.Store
	store    secret.Store
	// shared is what the rows of a batch share: sessions, connections.
	shared *Shared
	// dryRun is what a dry run captured; production is what the process
	// knows of production. Both are shared by every run of the process.
	dryRun     *dryRunLog
	production *productionGuard
}

// NewFactory returns a Factory with streams ios, environment getenv and
// an empty run.
func NewFactory(ios *output.IOStreams, getenv func(string) string) *Factory {
	f := &Factory{IO: ios, Getenv: getenv, Run: NewRun(), dryRun: &dryRunLog{}, production: &productionGuard{}}
	if ios != nil {
		f.production.out = ios.ErrOut
	}
	return f
}

// ConfigPath is --config, else BOKUCTL_CONFIG, else the default location.
func (f *Factory) ConfigPath() (string, error) {
	if f.ConfigFlag != "" {
		return f.ConfigFlag, nil
	}
	if env := f.Getenv("BOKUCTL_CONFIG"); env != "" {
		return env, nil
	}
	return config.DefaultPath(f.Getenv)
}

// Config loads the config file once per run.
func (f *Factory) Config() (*config.File, error) {
	if f.config != nil {
		return f.config, nil
	}
	path, err := f.ConfigPath()
	if err != nil {
		return nil, err
	}
	file, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	f.config = file
	return file, nil
}

// ProfileName picks the active profile: --profile, else BOKUCTL_PROFILE,
// else the file's current-profile, else "default". explicit reports whether
// the user named it (flag or env), in which case it must exist.
func (f *Factory) ProfileName() (name string, explicit bool, err error) {
	if f.ProfileFlag != "" {
		return f.ProfileFlag, true, config.ValidateProfileName(f.ProfileFlag)
	}
	if env := f.Getenv("BOKUCTL_PROFILE"); env != "" {
		return env, true, config.ValidateProfileName(env)
	}
	file, err := f.Config()
	if err != nil {
		return "", false, err
	}
	if file.CurrentProfile != "" {
		return file.CurrentProfile, false, nil
	}
	return "default", false, nil
}

// Settings resolves the active profile's settings, with the global
// --provider as the only flag override, once per run. A profile named
// explicitly must exist; the implicit default may be absent, so CI can run
// on environment variables alone.
func (f *Factory) Settings() (*config.Settings, error) {
	if f.settings != nil {
		return f.settings, nil
	}
	name, explicit, err := f.ProfileName()
	if err != nil {
		return nil, err
	}
	file, err := f.Config()
	if err != nil {
		return nil, err
	}
	if _, ok := file.Profiles[name]; !ok && (explicit || file.CurrentProfile != "") {
		_, err := file.Profile(name)
		return nil, err
	}
	settings, err := f.SettingsFor(file, name)
	if err != nil {
		return nil, err
	}
	f.settings = settings
	return settings, nil
}

// SettingsFor resolves the settings of the named profile of file, as
// Settings does, without checking that the profile exists.
func (f *Factory) SettingsFor(file *config.File, name string) (*config.Settings, error) {
	settings := config.Resolve(file, name, map[string]*pflag.Flag{"provider": f.ProviderFlag}, f.Getenv)
	if err := settings.Validate(); err != nil {
		return nil, err
	}
	return settings, nil
}

// RequireSettings fails with a configuration error naming every one of
// keys that has no value, and a command that sets them all.
func RequireSettings(settings *config.Settings, keys ...string) error {
	return requireSettings(settings, true, keys...)
}

// RequireSettings is RequireSettings with a hint that fits the config
// file: `profile set` for a profile that exists, `profile add` otherwise.
func (f *Factory) RequireSettings(keys ...string) error {
	settings, err := f.Settings()
	if err != nil {
		return err
	}
	exists := false
	if file, err := f.Config(); err == nil {
		_, exists = file.Profiles[settings.Profile]
	}
	return requireSettings(settings, exists, keys...)
}

func requireSettings(settings *config.Settings, profileExists bool, keys ...string) error {
	var missing, envs, sets, flags []string
	for _, key := range keys {
		if settings.Get(key) != "" {
			continue
		}
		missing = append(missing, key)
		envs = append(envs, config.EnvVar(key))
		sets = append(sets, fmt.Sprintf("bokuctl profile set %s %s VALUE", settings.Profile, key))
		flags = append(flags, fmt.Sprintf("--%s VALUE", strings.ReplaceAll(key, ".", "-")))
	}
	if len(missing) == 0 {
		return nil
	}
	verb := "is"
	if len(missing) > 1 {
		verb = "are"
	}
	e := exitcode.New(exitcode.Auth, "%s %s not set for profile %q", strings.Join(missing, ", "), verb, settings.Profile)
	if profileExists {
		return e.WithHint("set them: %s (or %s in the environment)", strings.Join(sets, " && "), strings.Join(envs, ", "))
	}
	return e.WithHint("create the profile: bokuctl profile add %s %s (or set %s in the environment)", settings.Profile, strings.Join(flags, " "), strings.Join(envs, ", "))
}

// SecretStore returns the OS keyring, or the file-backed store when
// BOKUCTL_KEYRING_FILE is set (with a warning on stderr every time).
func (f *Factory) SecretStore() secret.Store {
	if f.store != nil {
		return f.store
	}
	if path := f.Getenv(secret.FileStoreEnv); path != "" {
		f.store = &warningStore{Store: secret.FileStore{Path: path}, warn: func() {
			f.Printer.Notice("Warning: secrets are kept in plain text in %s (%s); use this only for tests and headless machines.", path, secret.FileStoreEnv)
		}}
	} else {
		f.store = secret.Keyring{}
	}
	return f.store
}

// warningStore prints a warning the first time the store is used, so an
// environment variable that supplies the secret causes no warning.
type warningStore struct {
	secret.Store
	warn   func()
	warned bool
}

func (w *warningStore) once() {
	if !w.warned {
		w.warned = true
		w.warn()
	}
}

func (w *warningStore) Get(ctx context.Context, account string) (string, error) {
	w.once()
	return w.Store.Get(ctx, account)
}

func (w *warningStore) Set(ctx context.Context, account, value string) error {
	w.once()
	return w.Store.Set(ctx, account, value)
}

func (w *warningStore) Delete(ctx context.Context, account string) error {
	w.once()
	return w.Store.Delete(ctx, account)
}

// DefaultGetenv is the process environment.
func DefaultGetenv(key string) string { return os.Getenv(key) }
