// Package output renders every bokuctl result the same way: a typed value
// becomes an aligned table (coloured on a terminal) or stable JSON, and an
// error becomes "Error:"/"Hint:" lines on stderr plus, in JSON mode, a JSON
// error object. Results go to stdout; everything else goes to stderr.
package output

import (
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// IOStreams are the standard streams of one command run, with what is known
// about them. Commands receive them instead of touching os.Stdout, which is
// what makes terminal and colour behaviour testable.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// InTTY and OutTTY report whether stdin and stdout are terminals.
	InTTY  bool
	OutTTY bool
	// Color reports whether ANSI styling may be written to Out.
	Color bool
}

// Env is the subset of the environment that shapes terminal behaviour.
type Env func(key string) string

// System returns IOStreams for the process's real standard streams.
//
// Colour follows, in order: --no-color (noColor) and NO_COLOR (any non-empty
// value) turn it off; CLICOLOR_FORCE (non-empty, not "0") turns it on; then
// CLICOLOR=0 turns it off; otherwise colour is on only when stdout is a
// terminal. BOKUCTL_FORCE_TTY (non-empty) makes stdin and stdout count as
// terminals, like gh's GH_FORCE_TTY, for scripts that want table output.
func System(getenv Env, noColor bool) *IOStreams {
	forceTTY := getenv("BOKUCTL_FORCE_TTY") != ""
	ios := &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		InTTY:  forceTTY || term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: forceTTY || term.IsTerminal(int(os.Stdout.Fd())),
	}
	ios.Color = ColorEnabled(getenv, noColor, ios.OutTTY)
	return ios
}

// ColorEnabled applies the colour rules described on System.
func ColorEnabled(getenv Env, noColor, outTTY bool) bool {
	if noColor || getenv("NO_COLOR") != "" {
		return false
	}
	if force := getenv("CLICOLOR_FORCE"); force != "" && force != "0" {
		return true
	}
	if getenv("CLICOLOR") == "0" {
		return false
	}
	return outTTY
}

// StdinIsTerminal reports whether In is a real terminal (not merely forced
// to count as one), which is what hidden password input needs.
func (s *IOStreams) StdinIsTerminal() (int, bool) {
	f, ok := s.In.(*os.File)
	if !ok {
		return 0, false
	}
	fd := int(f.Fd())
	return fd, term.IsTerminal(fd)
}

// Time is a timestamp as bokuctl's JSON writes every one: RFC 3339, UTC,
// milliseconds (docs/json.md).
type Time time.Time

// TimeFormat is Time's layout.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// MarshalJSON writes the time in TimeFormat ("" for the zero time).
func (t Time) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte(`""`), nil
	}
	return []byte(`"` + time.Time(t).UTC().Format(TimeFormat) + `"`), nil
}
