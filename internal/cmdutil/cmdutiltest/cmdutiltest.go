// Package cmdutiltest builds what unit tests of commands and providers
// need: a Factory over test streams whose environment is a map (a
// temporary HOME, config and journal added), with a JSON printer and its
// journal open.
package cmdutiltest

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/journal"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// Factory returns a Factory whose environment is env plus HOME,
// BOKUCTL_CONFIG and BOKUCTL_JOURNAL in a temporary folder, and its
// journal (closed when the test ends).
func Factory(t testing.TB, env map[string]string) (*cmdutil.Factory, journal.Store) {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"HOME": dir, "BOKUCTL_CONFIG": filepath.Join(dir, "config.yaml"), "BOKUCTL_JOURNAL": filepath.Join(dir, "journal.db")}
	for k, v := range env {
		all[k] = v
	}
	ios := &output.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	f := cmdutil.NewFactory(ios, func(k string) string { return all[k] })
	f.Printer, _ = output.NewPrinter(ios, output.FormatJSON, "")
	store, err := f.OpenJournal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return f, store
}

// Command readies a command built for a unit test: errors and usage are
// not printed, stdout is discarded, and args are its command line.
func Command(cmd *cobra.Command, args ...string) *cobra.Command {
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetOut(io.Discard)
	cmd.SetArgs(args)
	return cmd
}
