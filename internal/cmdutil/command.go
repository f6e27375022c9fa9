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
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[groupAnnotation] = "true"
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return unknownSubcommand(cmd, args[0])
	}
	return cmd
}

const groupAnnotation = "bokuctl_group"

func unknownSubcommand(cmd *cobra.Command, typed string) *exitcode.Error {
	err := exitcode.New(exitcode.Usage, "unknown command %q for %q", typed, cmd.CommandPath())
	if hint := suggestCommand(cmd, typed); hint != "" {
		return err.WithHint("%s", hint)
	}
	return err.WithHint("run `%s --help` for its commands", cmd.CommandPath())
}

// GroupFlagError is the error of a flag that failed to parse on a group
// (GroupCmd) after a word that is none of its commands: the mistyped
// command is the mistake (bokuctl optin begn --payment-method x), not
// the flag, which belongs to the command meant. It is nil otherwise.
func GroupFlagError(cmd *cobra.Command) error {
	if cmd.Annotations[groupAnnotation] != "true" {
		return nil
	}
	args := cmd.Flags().Args()
	if len(args) == 0 {
		return nil
	}
	return unknownSubcommand(cmd, args[0])
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

// FlagError rewords the errors of pflag and cobra that show Go internals
// (strconv.ParseBool, flag group lists) into messages that name the flag
// and the fix. Other errors come back unchanged.
func FlagError(err error) error {
	msg := err.Error()
	if value, flag, rest, ok := parseInvalidArgument(msg); ok {
		want := ""
		switch {
		case strings.Contains(rest, "strconv.ParseBool"):
			want = "true or false"
		case strings.Contains(rest, "strconv.ParseInt"), strings.Contains(rest, "strconv.ParseUint"):
			want = "a whole number"
		case strings.Contains(rest, "strconv.ParseFloat"):
			want = "a number"
		case strings.Contains(rest, "time: "):
			want = "a duration such as 30s, 2m or 1h"
		}
		if want != "" {
			return fmt.Errorf("%s %q: give %s", flag, value, want)
		}
		return err
	}
	if group, missing, ok := parseGroup(msg, "if any flags in the group [", "] are set they must all be set; missing ["); ok {
		verb := "is"
		if strings.Contains(missing, " ") {
			verb = "are"
		}
		return fmt.Errorf("%s go together: %s %s missing", dashed(group, " and "), dashed(missing, " and "), verb)
	}
	if group, _, ok := parseGroup(msg, "if any flags in the group [", "] are set none of the others can be; ["); ok {
		return fmt.Errorf("%s cannot be used together", dashed(group, " and "))
	}
	if group, ok := strings.CutPrefix(msg, "at least one of the flags in the group ["); ok {
		group, _, _ = strings.Cut(group, "]")
		return fmt.Errorf("give one of %s", dashed(group, ", "))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		if strings.HasPrefix(name, "'") { // a shorthand: 'p' in -p
			name = "-" + strings.Trim(strings.Fields(name)[0], "'")
		}
		return fmt.Errorf("%s needs a value", name)
	}
	if names, ok := strings.CutPrefix(msg, "required flag(s) "); ok {
		names, _, _ = strings.Cut(names, " not set")
		names = strings.ReplaceAll(strings.ReplaceAll(names, `"`, ""), ",", "")
		return fmt.Errorf("%s required", dashed(names, " and ")+map[bool]string{true: " are", false: " is"}[strings.Contains(names, " ")])
	}
	return err
}

// parseInvalidArgument reads pflag's `invalid argument "V" for "--F" flag: REST`.
func parseInvalidArgument(msg string) (value, flag, rest string, ok bool) {
	after, ok := strings.CutPrefix(msg, "invalid argument ")
	if !ok {
		return "", "", "", false
	}
	value, after, ok = cutQuoted(after)
	if !ok {
		return "", "", "", false
	}
	after, ok = strings.CutPrefix(after, " for ")
	if !ok {
		return "", "", "", false
	}
	flag, after, ok = cutQuoted(after)
	if !ok {
		return "", "", "", false
	}
	if i := strings.Index(flag, ", --"); i >= 0 { // "-o, --output"
		flag = flag[i+2:]
	}
	return value, flag, after, true
}

func cutQuoted(s string) (quoted, rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", false
	}
	end := strings.Index(s[1:], `"`)
	if end < 0 {
		return "", "", false
	}
	return s[1 : end+1], s[end+2:], true
}

func parseGroup(msg, prefix, middle string) (group, second string, ok bool) {
	rest, ok := strings.CutPrefix(msg, prefix)
	if !ok {
		return "", "", false
	}
	group, second, ok = strings.Cut(rest, middle)
	if !ok {
		return "", "", false
	}
	second, _, _ = strings.Cut(second, "]")
	return group, second, true
}

// dashed turns "amount currency" into "--amount and --currency".
func dashed(names, sep string) string {
	fields := strings.Fields(names)
	for i, f := range fields {
		fields[i] = "--" + f
	}
	return strings.Join(fields, sep)
}
