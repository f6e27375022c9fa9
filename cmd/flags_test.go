package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// pflag reads the first `quoted` word of a flag's usage as the name of its
// value, so "see `bokuctl journal --help`" printed as
// "--no-journal bokuctl journal --help". Shown usages quote with nothing
// (a hidden flag's usage is only its refusal hint).
func TestFlagUsagesHaveNoBackquotes(t *testing.T) {
	root := NewRootCmd(cmdutil.NewFactory(&output.IOStreams{}, func(string) string { return "" }))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(fl *pflag.Flag) {
			if !fl.Hidden && strings.Contains(fl.Usage, "`") {
				t.Errorf("%s --%s: usage has a backquote: %q", c.CommandPath(), fl.Name, fl.Usage)
			}
		}
		c.LocalFlags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
