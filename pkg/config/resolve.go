package config

import (
	"os"

	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// Source says where a resolved setting came from.
type Source string

// The sources, in order of precedence.
const (
	SourceFlag    Source = "flag"
	SourceEnv     Source = "env"
	SourceFile    Source = "file"
	SourceDefault Source = "default"
	SourceUnset   Source = "unset"
)

// Setting is one resolved value with its source. Origin names the flag,
// environment variable or file it came from.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source Source `json:"source"`
	Origin string `json:"origin,omitempty"`
}

// Settings are the effective settings of one profile for one command run:
// flag > environment (BOKUCTL_…) > profile in the config file > default.
type Settings struct {
	// Profile is the name of the profile the file values came from.
	Profile string
	values  map[string]Setting
}

// Resolve computes the effective settings of profile (which may be absent
// from the file when everything comes from the environment). flags maps a
// setting name to the command-line flag that overrides it; a flag counts
// only when the user set it. getenv reads the environment variables
// (BOKUCTL_…); only it is consulted, never the process environment, so a
// caller can hide or replace variables. A nil getenv means os.Getenv.
//
// Each setting takes the first of: the flag, if set; the environment
// variable, if non-empty; the profile's value in the file, if non-empty;
// the default. Its source is recorded alongside so `profile show` can tell
// the user why a value is what it is.
func Resolve(file *File, profile string, flags map[string]*pflag.Flag, getenv func(string) string) *Settings {
	if getenv == nil {
		getenv = os.Getenv
	}
	fromFile := file.Profiles[profile]
	s := &Settings{Profile: profile, values: map[string]Setting{}}
	for _, k := range keys {
		setting := Setting{Key: k.Name}
		env := getenv(k.EnvVar())
		switch flag := flags[k.Name]; {
		case flag != nil && flag.Changed:
			setting.Value, setting.Source, setting.Origin = flag.Value.String(), SourceFlag, "--"+flag.Name
		case env != "":
			setting.Value, setting.Source, setting.Origin = env, SourceEnv, k.EnvVar()
		case fromFile[k.Name] != "":
			setting.Value, setting.Source, setting.Origin = fromFile[k.Name], SourceFile, file.Path
		case k.Default != "":
			setting.Value, setting.Source = k.Default, SourceDefault
		default:
			setting.Source = SourceUnset
		}
		setting.Value = k.Normalize(setting.Value)
		s.values[k.Name] = setting
	}
	return s
}

// Get returns the effective value of a setting ("" when unset).
func (s *Settings) Get(name string) string { return s.values[name].Value }

// Lookup returns a setting with its source.
func (s *Settings) Lookup(name string) Setting { return s.values[name] }

// All returns every setting, sorted by name.
func (s *Settings) All() []Setting {
	out := make([]Setting, 0, len(s.values))
	for _, k := range Keys() {
		out = append(out, s.values[k.Name])
	}
	return out
}

// Validate checks every effective value, so a bad environment variable or
// flag is caught with its origin before anything is sent.
func (s *Settings) Validate() error {
	for _, k := range Keys() {
		setting := s.values[k.Name]
		if err := k.Validate(setting.Value); err != nil {
			origin := setting.Origin
			if origin == "" {
				origin = string(setting.Source)
			}
			return &ValueError{Origin: origin, Err: err}
		}
	}
	return nil
}

// ValueError is an invalid setting value, named by where it came from.
type ValueError struct {
	Origin string
	Err    error
}

func (e *ValueError) Error() string {
	return "invalid setting from " + e.Origin + ": " + e.Err.Error()
}

func (e *ValueError) Unwrap() error { return e.Err }

// ExitCode classes a bad setting value as invalid input.
func (e *ValueError) ExitCode() exitcode.Code { return exitcode.Usage }
