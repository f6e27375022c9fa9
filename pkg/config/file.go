// Package config holds bokuctl's profiles: the YAML config file, the
// registry of settings a profile may hold, and the resolution of each
// setting from flag, environment, file and default, with its source.
//
// Secrets are not here: the file holds only non-secret settings, and
// package secret keeps keys and passwords in the OS keyring.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/bokuctl/bokuctl/pkg/atomicfile"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// FileName is the config file's name inside the bokuctl config folder.
const FileName = "config.yaml"

// DefaultPath is $XDG_CONFIG_HOME/bokuctl/config.yaml, or the platform's
// equivalent from os.UserConfigDir.
func DefaultPath(getenv func(string) string) (string, error) {
	dir, err := UserDir(getenv, "config")
	if err != nil {
		return "", exitcode.New(exitcode.Auth, "cannot find a config folder: %v", err).
			WithHint("set XDG_CONFIG_HOME, or pass --config / BOKUCTL_CONFIG")
	}
	return filepath.Join(dir, "bokuctl", FileName), nil
}

// UserDir is os.UserConfigDir (kind "config") or os.UserCacheDir (kind
// "cache") computed from getenv rather than the process environment, so a
// run given its own environment (tests, the sandbox demo) never touches
// the user's real folders.
func UserDir(getenv func(string) string, kind string) (string, error) {
	var dir string
	switch runtime.GOOS {
	case "windows":
		dir = getenv(map[string]string{"config": "AppData", "cache": "LocalAppData"}[kind])
	case "darwin", "ios":
		if home := getenv("HOME"); home != "" {
			dir = filepath.Join(home, "Library", map[string]string{"config": "Application Support", "cache": "Caches"}[kind])
		}
	default:
		dir = getenv(map[string]string{"config": "XDG_CONFIG_HOME", "cache": "XDG_CACHE_HOME"}[kind])
		if !filepath.IsAbs(dir) {
			dir = ""
			if home := getenv("HOME"); home != "" {
				dir = filepath.Join(home, "."+kind)
			}
		}
	}
	if dir == "" {
		return "", fmt.Errorf("neither the %s folder variable nor HOME is set", kind)
	}
	return dir, nil
}

// File is the parsed config file.
type File struct {
	// Path is where the file was read from and is written to.
	Path string
	// CurrentProfile names the profile used when none is given.
	CurrentProfile string
	// Profiles maps a profile name to its settings, keyed by dotted name.
	Profiles map[string]Profile
}

// Profile is one named set of non-secret settings.
type Profile map[string]string

var profileNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$`) })

// ValidateProfileName checks that name can be a profile (and a keyring
// account prefix): letters, digits, "_" and "-", at most 63.
func ValidateProfileName(name string) error {
	if !profileNamePattern().MatchString(name) {
		return exitcode.New(exitcode.Usage, "invalid profile name %s", QuoteValue(name)).
			WithHint("use letters, digits, '_' and '-' (at most 63), starting with a letter or digit")
	}
	return nil
}

// maxQuoted is how much of a value an error message quotes.
const maxQuoted = 80

// QuoteValue quotes a value for an error message, as %q does, but at most
// its first 80 bytes: a longer value is cut (on a character boundary) and
// followed by …(N bytes), so a huge bad value never floods the terminal.
func QuoteValue(v string) string {
	if len(v) <= maxQuoted {
		return strconv.Quote(v)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", strconv.Quote(v[:cut]), len(v))
}

// ShortenValue replaces every %q quote of value in msg (an error message
// that quoted the whole value) with QuoteValue(value).
func ShortenValue(msg, value string) string {
	if len(value) <= maxQuoted {
		return msg
	}
	return strings.ReplaceAll(msg, strconv.Quote(value), QuoteValue(value))
}

// FileError is a problem with the config file's content or access. It
// names the file and, where known, the line.
type FileError struct {
	Path string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config file %s, line %d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("config file %s: %s", e.Path, e.Msg)
}

// ExitCode classes a broken config as a configuration problem.
func (e *FileError) ExitCode() exitcode.Code { return exitcode.Auth }

// HintText tells the user how to get going again.
func (e *FileError) HintText() string {
	return "fix the file by hand, or move it away and recreate profiles with `bokuctl profile add`"
}

// Load reads the config file at path. A missing file is an empty config,
// not an error. Unknown keys, wrong shapes and invalid values are errors
// naming the file and line.
func Load(path string) (*File, error) {
	f := &File{Path: path, Profiles: map[string]Profile{}}
	atomicfile.WarnIfExposed(path, "config file")
	data, err := readBounded(path, maxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, &FileError{Path: path, Msg: err.Error()}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlSyntaxError(path, err)
	}
	if len(doc.Content) == 0 {
		return f, nil
	}
	if err := f.decodeRoot(doc.Content[0]); err != nil {
		return nil, err
	}
	return f, nil
}

// maxFileSize bounds the config file: profiles take a few KiB; a larger
// file is a mistake (or a device) and is not read into memory.
const maxFileSize = 4 << 20

// readBounded is os.ReadFile for a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d MiB: not a bokuctl config file", limit>>20)
	}
	return data, nil
}

var yamlLinePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// yamlSyntaxError turns a YAML parser error into a FileError with the line.
func yamlSyntaxError(path string, err error) error {
	if m := yamlLinePattern().FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &FileError{Path: path, Line: line, Msg: "malformed YAML: " + m[2]}
	}
	return &FileError{Path: path, Msg: "malformed YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
}

func (f *File) errorAt(n *yaml.Node, format string, args ...any) error {
	return &FileError{Path: f.Path, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

func (f *File) decodeRoot(root *yaml.Node) error {
	if root.Kind != yaml.MappingNode {
		return f.errorAt(root, "the top level must be a mapping with current-profile and profiles")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "current-profile":
			if value.Kind != yaml.ScalarNode {
				return f.errorAt(value, "current-profile must be a profile name")
			}
			f.CurrentProfile = value.Value
		case "profiles":
			if value.Kind != yaml.MappingNode {
				return f.errorAt(value, "profiles must be a mapping of profile names to settings")
			}
			for j := 0; j+1 < len(value.Content); j += 2 {
				name, body := value.Content[j], value.Content[j+1]
				if err := ValidateProfileName(name.Value); err != nil {
					return f.errorAt(name, "invalid profile name %s", QuoteValue(name.Value))
				}
				if _, dup := f.Profiles[name.Value]; dup {
					return f.errorAt(name, "profile %q is defined twice", name.Value)
				}
				profile := Profile{}
				if body.Kind != yaml.MappingNode && !(body.Kind == yaml.ScalarNode && body.Tag == "!!null") {
					return f.errorAt(body, "profile %q must be a mapping of settings", name.Value)
				}
				if err := f.decodeSettings(name.Value, "", body, profile); err != nil {
					return err
				}
				f.Profiles[name.Value] = profile
			}
		default:
			return f.errorAt(key, "unknown top-level key %s (known: current-profile, profiles)", QuoteValue(key.Value))
		}
	}
	return nil
}

// decodeSettings walks a profile's mapping, accepting only registered keys.
func (f *File) decodeSettings(profile, section string, node *yaml.Node, into Profile) error {
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		name := key.Value
		if section != "" {
			name = section + "." + key.Value
		}
		if k, ok := LookupKey(name); ok {
			if value.Kind != yaml.ScalarNode {
				return f.errorAt(value, "%s in profile %q must be a single value", name, profile)
			}
			if err := k.Validate(value.Value); err != nil {
				return f.errorAt(value, "profile %q: %s", profile, ShortenValue(err.Error(), value.Value))
			}
			into[name] = value.Value
			continue
		}
		if isSection(name) {
			if value.Kind != yaml.MappingNode {
				return f.errorAt(value, "%s in profile %q must be a mapping of settings", name, profile)
			}
			if err := f.decodeSettings(profile, name, value, into); err != nil {
				return err
			}
			continue
		}
		return f.errorAt(key, "unknown key %s in profile %q (known keys: %s)", QuoteValue(name), profile, strings.Join(keyNames(section), ", "))
	}
	return nil
}

// Save writes the file atomically (temporary file, then rename) with mode
// 0600, creating its folder with mode 0700, under the file's lock (see
// Update). It writes what f holds, overwriting changes another process
// made since f was loaded: commands that change a loaded file use Update.
func (f *File) Save() error {
	return f.locked(f.save)
}

// Update changes the file without losing another process's change: under
// a lock on the file (a ".lock" file beside it, see atomicfile.Lock) it
// reads the file again, applies change to that fresh copy, and saves it.
// If change returns an error nothing is written and the error is returned.
// On success f holds the saved content.
func (f *File) Update(change func(*File) error) error {
	return f.locked(func() error {
		fresh, err := Load(f.Path)
		if err != nil {
			return err
		}
		if err := change(fresh); err != nil {
			return err
		}
		if err := fresh.save(); err != nil {
			return err
		}
		*f = *fresh
		return nil
	})
}

// locked runs fn holding the lock beside the file that f.Path finally
// names (a symlinked config is locked and written where it points).
func (f *File) locked(fn func() error) error {
	target, err := atomicfile.Resolve(f.Path)
	if err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return fmt.Errorf("create config folder: %w", err)
	}
	unlock, err := atomicfile.Lock(target)
	if err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	defer unlock()
	return fn()
}

// save writes the file. A symbolic link at f.Path is kept: the file it
// points to is replaced, atomically, in its own folder.
func (f *File) save() error {
	data, err := f.encode()
	if err != nil {
		return err
	}
	if err := atomicfile.WriteThrough(f.Path, data, 0o600); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	return nil
}

const fileHeader = "# bokuctl configuration: profiles of non-secret settings.\n" +
	"# Secrets live in the OS keyring (bokuctl secret set NAME), never here.\n"

func (f *File) encode() ([]byte, error) {
	root := map[string]any{}
	if f.CurrentProfile != "" {
		root["current-profile"] = f.CurrentProfile
	}
	profiles := map[string]any{}
	for name, p := range f.Profiles {
		profiles[name] = p.nested()
	}
	root["profiles"] = profiles
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	return buf.Bytes(), enc.Close()
}

// nested turns dotted names back into the YAML tree: boku.country becomes
// boku: {country: …}.
func (p Profile) nested() map[string]any {
	out := map[string]any{}
	for name, value := range p {
		if value == "" {
			continue
		}
		parts := strings.Split(name, ".")
		m := out
		for _, part := range parts[:len(parts)-1] {
			child, ok := m[part].(map[string]any)
			if !ok {
				child = map[string]any{}
				m[part] = child
			}
			m = child
		}
		m[parts[len(parts)-1]] = value
	}
	return out
}

// Names returns the profile names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Profiles))
	for name := range f.Profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Profile returns the named profile or a not-found error that lists the
// ones that exist.
func (f *File) Profile(name string) (Profile, error) {
	if p, ok := f.Profiles[name]; ok {
		return p, nil
	}
	err := exitcode.New(exitcode.Auth, "profile %q not found in %s", name, f.Path)
	if len(f.Profiles) == 0 {
		return nil, err.WithHint("create it with `bokuctl profile add %s`", name)
	}
	return nil, err.WithHint("known profiles: %s; create one with `bokuctl profile add NAME`", strings.Join(f.Names(), ", "))
}
