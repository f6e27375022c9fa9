package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// newHelpCmd is `bokuctl help [command]`: cobra's help command, except
// that a topic that does not exist is a usage error (exit 2, on stderr,
// with the nearest names), not the root's usage on stdout and exit 0.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help provides help for any command or topic: bokuctl help [path to command].",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var completions []cobra.Completion
			for _, sub := range cmd.Commands() {
				if (sub.IsAvailableCommand() || sub.Name() == "help") && strings.HasPrefix(sub.Name(), toComplete) {
					completions = append(completions, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return completions, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, _, err := c.Root().Find(args)
			if cmd == nil || err != nil {
				e := exitcode.New(exitcode.Usage, "unknown help topic %q", strings.Join(args, " "))
				if suggestions := c.Root().SuggestionsFor(args[0]); len(suggestions) > 0 {
					return e.WithHint("did you mean bokuctl help %s?", strings.Join(suggestions, ", or bokuctl help "))
				}
				return e.WithHint("run `bokuctl help` for the commands and topics")
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}
