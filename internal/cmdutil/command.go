package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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
		if hint := suggestCommand(cmd, args[0]); hint != "" {
			return err.WithHint("%s", hint)
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
			hint := fmt.Sprintf("usage: %s", cmd.UseLine())
			if len(args) > 0 && cmd.HasAvailableSubCommands() {
				if suggestion := suggestCommand(cmd, args[0]); suggestion != "" {
					hint = suggestion
				}
			}
			return &exitcode.Error{Code: exitcode.Usage, Err: err, Hint: hint}
		}
		return nil
	}
}

// suggestCommand is "did you mean bokuctl charge status?" for a mistyped
// subcommand of cmd, or "".
func suggestCommand(cmd *cobra.Command, typed string) string {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra sets it on the root only
	}
	suggestions := cmd.SuggestionsFor(typed)
	if len(suggestions) == 0 {
		return ""
	}
	for i, s := range suggestions {
		suggestions[i] = "`" + cmd.CommandPath() + " " + s + "`"
	}
	return "did you mean " + strings.Join(suggestions, " or ") + "?"
}

// SuggestFlag is "did you mean --amount?" for an unknown flag named in a
// flag-parsing error, or "".
func SuggestFlag(cmd *cobra.Command, err error) string {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return ""
	}
	name, _, _ = strings.Cut(name, "=")
	best, bestDistance := "", 3
	visit := func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		if d := levenshtein(name, fl.Name); d < bestDistance || d == bestDistance && best != "" && fl.Name < best {
			best, bestDistance = fl.Name, d
		}
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	if best == "" || bestDistance > 2 {
		return ""
	}
	return fmt.Sprintf("did you mean --%s? (run `%s --help` for usage)", best, cmd.CommandPath())
}

// levenshtein is the edit distance of two short ASCII words.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
