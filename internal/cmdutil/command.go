package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// GroupCmd is a command that only holds subcommands: without one it prints
// help; with an unknown one it fails as a usage error instead of silently
// printing help and exiting 0.
func GroupCmd(use, short string, children ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short}
	cmd.AddCommand(children...)
	return AsGroup(cmd)
}

// AsGroup gives a command the group behaviour described on GroupCmd.
func AsGroup(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		err := exitcode.New(exitcode.Usage, "unknown command %q for %q", args[0], cmd.CommandPath())
		if suggestions := cmd.SuggestionsFor(args[0]); len(suggestions) > 0 {
			return err.WithHint("did you mean %s?", strings.Join(suggestions, " or "))
		}
		return err.WithHint("run `%s --help` for its commands", cmd.CommandPath())
	}
	return cmd
}

// UsageArgs wraps an argument validator so its failure is a usage error
// with a pointer to the command's help.
func UsageArgs(validate cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := validate(cmd, args); err != nil {
			return &exitcode.Error{Code: exitcode.Usage, Err: err, Hint: fmt.Sprintf("usage: %s", cmd.UseLine())}
		}
		return nil
	}
}
