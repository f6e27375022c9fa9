package profile

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

func newProfileImportCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.WithExample(cmdutil.GroupCmd("import", "Create or update a profile from another tool's configuration",
		newProfileImportWorldlineCmd(f),
	), `  bokuctl profile import worldline-properties acquiring-sdk.ini --name eu`)
}

// unmappedKey is a key of the file bokuctl has no setting for.
type unmappedKey struct {
	Line int    `json:"line"`
	Key  string `json:"key"`
}

// profileImportResult is the output of `profile import worldline-properties`.
type profileImportResult struct {
	Name          string            `json:"name"`
	Created       bool              `json:"created"`
	Current       bool              `json:"current"`
	ConfigFile    string            `json:"config_file"`
	Source        string            `json:"source"`
	Imported      map[string]string `json:"imported"`
	SecretsStored []string          `json:"secrets_stored"`
	Unmapped      []unmappedKey     `json:"unmapped"`
}

func (r profileImportResult) Table() output.Table {
	t := output.Table{Fields: []output.Field{
		{Label: "Profile", Value: output.Text(r.Name)},
		{Label: "Created", Value: output.Text(cmdutil.YesNo(r.Created))},
		{Label: "Config file", Value: output.Text(r.ConfigFile)},
		{Label: "Source", Value: output.Text(r.Source)},
	}}
	names := make([]string, 0, len(r.Imported))
	for name := range r.Imported {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Fields = append(t.Fields, output.Field{Label: name, Value: output.Text(r.Imported[name])})
	}
	if len(r.SecretsStored) > 0 {
		t.Add("Secrets stored", strings.Join(r.SecretsStored, ", "))
	}
	var unmapped []string
	for _, u := range r.Unmapped {
		unmapped = append(unmapped, fmt.Sprintf("%s (line %d)", u.Key, u.Line))
	}
	t.Add("Not imported", strings.Join(unmapped, ", "))
	return t
}

func newProfileImportWorldlineCmd(f *cmdutil.Factory) *cobra.Command {
	var name, unit string
	cmd := &cobra.Command{
		Use:   "worldline-properties FILE",
		Short: "Import the Worldline Acquiring SDK's properties file into a profile",
		Long: `Read the [AcquiringSDK] section of the Worldline Acquiring SDK's properties
file (key=value lines; # and ; comments, also after a value when preceded by
a space) and write its settings into profile --name, creating it with
provider worldline if it does not exist. Only the settings the file gives
change; the others stay.

  acquiring.api.endpoint.scheme/host/port  worldline.api-url
  acquiring.api.oauth2.tokenUri            worldline.token-url
  acquiring.api.integrator                 worldline.integrator
  acquiring.api.connectTimeout             worldline.connect-timeout
  acquiring.api.socketTimeout              worldline.socket-timeout
  acquiring.api.maxConnections             worldline.max-connections
  acquiring.api.proxy.uri                  worldline.proxy-url
  acquiring.api.proxy.username             worldline.proxy-username
  acquiring.api.proxy.password             secret worldline-proxy-password
  acquiring.api.authorizationType          checked: must be OAuth2

Timeouts count milliseconds (the Java SDK), or seconds with --timeout-unit s
(the Python SDK); -1 means none and is stored as 0. The proxy password goes
to the secret store, never into the config file or any output. Every other
key is reported as not imported (stderr, and "unmapped" in JSON). A
malformed line or an invalid value is exit 2 with its line number; nothing
is written then. The client id and secret are not in the file: set
worldline.client-id and the secret worldline-client-secret as usual.`,
		Example: `  bokuctl profile import worldline-properties acquiring-sdk.ini
  bokuctl profile import worldline-properties acquiring-sdk.ini --name eu --timeout-unit s -o json`,
		Args: cmdutil.UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return profileImportWorldline(cmd, f, args[0], name, unit)
		},
	}
	cmd.Flags().StringVar(&name, "name", "worldline", "the profile to create or update")
	cmd.Flags().StringVar(&unit, "timeout-unit", "ms", "how the file counts connectTimeout and socketTimeout: ms (Java SDK) or s (Python SDK)")
	_ = cmd.RegisterFlagCompletionFunc("timeout-unit", cobra.FixedCompletions([]string{"ms", "s"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func profileImportWorldline(cmd *cobra.Command, f *cmdutil.Factory, path, name, unitFlag string) error {
	var unit config.TimeoutUnit
	switch unitFlag {
	case "ms":
		unit = config.Milliseconds
	case "s":
		unit = config.Seconds
	default:
		return exitcode.New(exitcode.Usage, "--timeout-unit %q is neither ms nor s", unitFlag)
	}
	if err := config.ValidateProfileName(name); err != nil {
		return err
	}
	in, err := os.Open(path)
	if err != nil {
		return exitcode.New(exitcode.Usage, "cannot read the properties file: %v", err).WithHint("give the path of the SDK's properties file, e.g. configuration.ini")
	}
	defer in.Close()
	props, err := config.ParseProperties(in)
	if err == nil {
		var imported *config.SDKImport
		imported, err = config.MapSDKProperties(props, unit)
		if err == nil {
			return writeImport(cmd, f, path, name, imported)
		}
	}
	var bad *config.PropertiesError
	if errors.As(err, &bad) {
		return exitcode.New(exitcode.Usage, "%s:%d: %s", path, bad.Line, bad.Msg).
			WithHint("see `bokuctl profile import worldline-properties --help` for the keys and their values; nothing was written")
	}
	return exitcode.New(exitcode.Usage, "read %s: %v", path, err)
}

func writeImport(cmd *cobra.Command, f *cmdutil.Factory, path, name string, imported *config.SDKImport) error {
	ctx := cmd.Context()
	file, err := f.Config()
	if err != nil {
		return err
	}
	result := profileImportResult{Name: name, Source: path, Imported: imported.Settings, SecretsStored: []string{}, Unmapped: []unmappedKey{}}
	for _, u := range imported.Unmapped {
		key := u.Key
		if u.Section != "" && !strings.EqualFold(u.Section, config.SDKSection) {
			key = "[" + u.Section + "] " + key
		}
		result.Unmapped = append(result.Unmapped, unmappedKey{Line: u.Line, Key: key})
	}
	for _, note := range imported.Notes {
		f.Printer.Notice("Note: %s", note)
	}
	if len(result.Unmapped) > 0 {
		keys := make([]string, 0, len(result.Unmapped))
		for _, u := range result.Unmapped {
			keys = append(keys, u.Key+" (line "+strconv.Itoa(u.Line)+")")
		}
		f.Printer.Notice("Not imported (bokuctl has no setting for them): %s", strings.Join(keys, ", "))
	}

	// The secret store is asked first: a password it cannot keep would
	// otherwise leave a profile with a proxy user and no password.
	// The password set in its environment variable needs no store: that
	// is what the hint for a machine without a keyring says to do.
	store := f.SecretStore()
	spec, _ := secret.Lookup("worldline-proxy-password")
	account := secret.Account(name, spec.Name)
	fromEnv := imported.ProxyPassword != "" && f.Getenv(spec.EnvVar) != ""
	if imported.ProxyPassword != "" && !fromEnv {
		if _, err := store.Get(ctx, account); err != nil && !errors.Is(err, secret.ErrNotFound) {
			err := cmdutil.StoreError(err, spec)
			var coded *exitcode.Error
			if errors.As(err, &coded) && coded.Hint != "" {
				coded.Hint = fmt.Sprintf("the file holds a proxy password and there is nowhere to keep it: export %s with that password (it is then read from the environment, nothing is stored), or set %s to a file path for a plain-text store, and run the import again",
					spec.EnvVar, secret.FileStoreEnv)
			}
			return err
		}
	}

	if err := file.Update(func(file *config.File) error {
		profile, existed := file.Profiles[name]
		result.Created = !existed
		if !existed {
			profile = config.Profile{"provider": "worldline"}
			file.Profiles[name] = profile
		}
		for k, v := range imported.Settings {
			profile[k] = v
		}
		if file.CurrentProfile == "" {
			file.CurrentProfile = name
		}
		return nil
	}); err != nil {
		return err
	}
	result.ConfigFile, result.Current = file.Path, file.CurrentProfile == name
	f.Printer.Notice("%s profile %q in %s: %d settings from %s.", map[bool]string{true: "Created", false: "Updated"}[result.Created], name, file.Path, len(imported.Settings), path)
	switch {
	case fromEnv && f.Getenv(spec.EnvVar) == imported.ProxyPassword:
		f.Printer.Notice("Not storing %s: %s in the environment gives it; keep it set wherever profile %q is used.", spec.Name, spec.EnvVar, name)
	case fromEnv:
		f.Printer.Notice("Warning: not storing %s: %s is set in the environment, to another value than the file's proxy password, and bokuctl will use it.", spec.Name, spec.EnvVar)
	case imported.ProxyPassword != "":
		if err := store.Set(ctx, account, imported.ProxyPassword); err != nil {
			return cmdutil.StoreError(err, spec)
		}
		result.SecretsStored = append(result.SecretsStored, spec.Name)
		f.Printer.Notice("Stored %s for profile %q in the %s.", spec.Name, name, store.Describe())
	}
	if imported.Settings["worldline.proxy-username"] != "" && imported.ProxyPassword == "" {
		f.Printer.Notice("Note: the file names a proxy user but no password: store it with `bokuctl secret set %s -p %s`.", spec.Name, name)
	}
	return f.Printer.Print(result)
}
