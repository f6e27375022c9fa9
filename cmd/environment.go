package cmd

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

// environmentVars are the variables bokuctl reads that are neither a
// setting nor a secret.
var environmentVars = []struct{ name, help string }{
	{"BOKUCTL_CONFIG", "the config file (like --config; default $XDG_CONFIG_HOME/bokuctl/config.yaml)"},
	{"BOKUCTL_PROFILE", "the profile to use (like -p/--profile)"},
	{"BOKUCTL_TIMEOUT", "time limit for each request to a provider (like --timeout), e.g. 30s"},
	{"BOKUCTL_KEYRING_FILE", "keep secrets in this plain-text 0600 file instead of the OS keyring (headless machines, tests)"},
	{"BOKUCTL_CACHE_DIR", "the cache folder (default $XDG_CACHE_HOME/bokuctl): Ottu methods answers"},
	{"BOKUCTL_PRODUCTION", "1: send to a production profile without asking (like --yes for production; for CI)"},
	{"BOKUCTL_FORCE_TTY", "any value: treat stdin and stdout as terminals for output (tables, colour); prompts still need a real terminal"},
	{"NO_COLOR", "any value: no colour (https://no-color.org)"},
	{"CLICOLOR", "0: no colour"},
	{"CLICOLOR_FORCE", "set and not 0: colour even when stdout is not a terminal"},
	{"XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME", "where the config file, the journal and the cache live by default"},
	{"HTTPS_PROXY, HTTP_PROXY, NO_PROXY", "the proxy for requests to the providers"},
	{"GOMEMLIMIT, GOGC", "the Go runtime's memory limit and collector pace (a batch sets 40 MiB and 400 unless these are set)"},
}

func environmentHelp() string {
	var b bytes.Buffer
	b.WriteString(`Every setting, every secret and a few options can come from the environment.
Settings resolve as flag > environment > profile > default; a secret's
variable beats the secret store. Empty values count as unset.

Settings (see bokuctl profile set, docs/configuration.md):
`)
	for _, k := range config.Keys() {
		fmt.Fprintf(&b, "  %-34s %s\n", k.EnvVar(), k.Name)
	}
	b.WriteString("\nSecrets (never in a flag or the config file):\n")
	for _, s := range secret.Specs() {
		fmt.Fprintf(&b, "  %-34s %s\n", s.EnvVar, s.Help)
	}
	b.WriteString("\nOptions and the environment bokuctl runs in:\n")
	for _, v := range environmentVars {
		fmt.Fprintf(&b, "  %-34s %s\n", v.name, v.help)
	}
	return b.String()
}

func newEnvironmentTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "environment",
		Short: "Every environment variable bokuctl reads",
		Long:  environmentHelp(),
	}
}
