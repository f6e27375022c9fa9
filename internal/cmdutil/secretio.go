package cmdutil

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/secret"
)

// MaxSecretSize bounds what `secret set` and `init` read from stdin.
const MaxSecretSize = 64 << 10

// StoreError explains an unreachable store and names the alternatives.
func StoreError(err error, spec secret.Spec) error {
	var unavailable *secret.UnavailableError
	if errors.As(err, &unavailable) {
		return &exitcode.Error{
			Code:    exitcode.Auth,
			Message: err.Error(),
			Hint: fmt.Sprintf("on CI or a headless machine set %s in the environment, or set %s to a file path for a plain-text store",
				spec.EnvVar, secret.FileStoreEnv),
			Err: err,
		}
	}
	return err
}

// FlagSettings puts the settings given as flags (setting name → flag)
// into profile, normalised and checked; the first bad one is an error
// naming its flag.
func FlagSettings(flags map[string]*pflag.Flag, profile config.Profile) error {
	for name, flag := range flags {
		if flag == nil || !flag.Changed {
			continue
		}
		key, _ := config.LookupKey(name)
		value := key.Normalize(flag.Value.String())
		if err := key.Validate(value); err != nil {
			return exitcode.New(exitcode.Usage, "--%s: %s", flag.Name, config.ShortenValue(err.Error(), value))
		}
		profile[name] = value
	}
	return nil
}
