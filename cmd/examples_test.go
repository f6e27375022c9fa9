package cmd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// Every command shows an example (issue 15), and every example runs: each
// bokuctl invocation in it names an existing command, passes only flags
// that command has (local, inherited or persistent) with values they
// accept, the required ones, and arguments its Args accepts. At least one
// invocation runs the command itself or one of its subcommands, so that a
// page cannot show another command's example only (sign response once
// showed sign request's).
//
// Skipped: hidden commands, cobra's help and the help topics
// (exit-codes, environment), which are not commands and have no page.
func TestEveryCommandHasAWorkingExample(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.IsAvailableCommand() {
			if strings.TrimSpace(c.Example) == "" {
				t.Errorf("%s: no Example", c.CommandPath())
			}
			for _, problem := range checkExample(newExampleRoot, c.CommandPath(), c.Example) {
				t.Errorf("%s: example: %s", c.CommandPath(), problem)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newExampleRoot())
}

// The checker itself: each wrong example is caught.
func TestCheckExampleCatchesWrongExamples(t *testing.T) {
	for _, tc := range []struct {
		path, example, want string
	}{
		{"bokuctl sign response", "  bokuctl sign request --path /billing/3.0/charge --body-file charge.xml", "no line runs bokuctl sign response"},
		{"bokuctl charge status", "  bokuctl charge status ch-000003 --operation", "unknown flag: --operation"},
		{"bokuctl charge status", "  bokuctl charge stauts ch-000003", `unknown command "stauts"`},
		{"bokuctl profile", "  bokuctl profil list", `unknown command "profil"`},
		{"bokuctl profile use", "  bokuctl profile use", "accepts 1 arg"},
		{"bokuctl charge increment", "  bokuctl charge increment pay:ch:etu:… --amount 1.00", "required flag(s)"},
		{"bokuctl charge capture", "  bokuctl charge capture pay:ch:etu:… --amount 1.00", "must all be set"},
		{"bokuctl optin confirm", "  bokuctl optin confirm oi-000001 --code 123456", "hidden flag --code"},
		{"bokuctl journal export", "  bokuctl journal export --since soon", "invalid argument"},
		{"bokuctl version", "  bokuctl version --version", "unknown flag: --version"},
		{"bokuctl version", "  bokuctl version -x", "unknown shorthand flag: 'x'"},
		{"bokuctl version", "  bokuctl version --jq", "flag needs an argument"},
		{"bokuctl version", "  bokuctl version 'unterminated", "unterminated quote"},
		{"bokuctl version", "  # bokuctl version\n  echo version", "no line runs bokuctl version"},
		{"bokuctl version", "", "no line runs bokuctl version"},
		// After a pipe, in $(…), continued on the next line, after an
		// environment assignment: still checked.
		{"bokuctl version", "  bokuctl version | bokuctl versoin", `unknown command "versoin"`},
		{"bokuctl version", "  bokuctl version\n  X=$(bokuctl journal show)", "accepts 1 arg"},
		{"bokuctl journal list", "  bokuctl journal list \\\n    --stat ok", "unknown flag: --stat"},
		{"bokuctl version", "  BOKUCTL_PROFILE=eu bokuctl version --bogus", "unknown flag: --bogus"},
	} {
		problems := checkExample(newExampleRoot, tc.path, tc.example)
		if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
			t.Errorf("%s: example %q: problems %q, want one containing %q", tc.path, tc.example, problems, tc.want)
		}
	}
}

// Right examples pass, including the shell around them.
func TestCheckExampleAcceptsRightExamples(t *testing.T) {
	for _, tc := range []struct{ path, example string }{
		{"bokuctl", "  bokuctl -p sandbox optin begin --payment-method superwallet --forward-url=https://shop.example/done"},
		{"bokuctl sign request", `  bokuctl sign request --path /billing/3.0/charge \
    --header 'Content-Type: text/xml;charset=utf-8' --signed-headers "Content-Type" # a comment`},
		{"bokuctl profile list", "  bokuctl profile ls -o json | jq -r '.profiles[] | .name' > names.txt"},
		{"bokuctl secret status", "  bokuctl secret status -o json --jq '.secrets[] | select(.required) | .state' 2>/dev/null"},
		{"bokuctl completion bash", "  source <(bokuctl completion bash)"},
		{"bokuctl refund capture", "  R=$(bokuctl refund pay:ch:etu:… --amount 1.00 --currency EUR --capture=false --jq .refund_id)\n  bokuctl refund capture \"$R\""},
		{"bokuctl charge", "  bokuctl charge --provider worldline --amount 1.00 --currency EUR --card-file card.json && bokuctl journal list -o json"},
		{"bokuctl version", "  bokuctl --version\n  bokuctl version -ojson"},
	} {
		if problems := checkExample(newExampleRoot, tc.path, tc.example); len(problems) > 0 {
			t.Errorf("%s: example %q: unexpected problems %q", tc.path, tc.example, problems)
		}
	}
}

// newExampleRoot is the command tree as Execute sees it: with the help
// command and the help and version flags cobra adds when it runs.
func newExampleRoot() *cobra.Command {
	root := NewRootCmd(cmdutil.NewFactory(&output.IOStreams{}, func(string) string { return "" }))
	root.InitDefaultHelpCmd()
	root.InitDefaultVersionFlag()
	return root
}

// checkExample returns what is wrong with the example of the command at
// path. Each bokuctl invocation is resolved and parsed by cobra on a tree
// of its own (parsing sets flags), as Execute would.
func checkExample(newRoot func() *cobra.Command, path, example string) []string {
	var problems []string
	own := false
	for _, line := range exampleLines(example) {
		invocations, err := bokuctlInvocations(line)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%q: %v", line, err))
			continue
		}
		for _, args := range invocations {
			found, err := checkInvocation(newRoot(), args)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%q: %v", line, err))
				continue
			}
			if found == path || strings.HasPrefix(found, path+" ") {
				own = true
			}
		}
	}
	if !own {
		problems = append(problems, fmt.Sprintf("no line runs %s (or one of its subcommands)", path))
	}
	return problems
}

// checkInvocation resolves and parses bokuctl's arguments args and
// returns the path of the command they run.
func checkInvocation(root *cobra.Command, args []string) (string, error) {
	cmd, rest, err := root.Find(args)
	if err != nil {
		return "", err
	}
	cmd.InitDefaultHelpFlag()
	if err := cmd.ParseFlags(rest); err != nil {
		return "", err
	}
	var flagErr error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if flagErr == nil && (fl.Hidden || fl.Deprecated != "") {
			flagErr = fmt.Errorf("hidden flag --%s", fl.Name)
		}
	})
	if flagErr != nil {
		return "", flagErr
	}
	positional := cmd.Flags().Args()
	cmd.SuggestionsMinimumDistance = 2 // as cmdutil's suggestions; cobra sets it on the root only
	// A group takes no arguments: its Use is its name alone. Commands that
	// have both subcommands and arguments (charge, refund) take none that
	// is a subcommand's name mistyped.
	if cmd.HasAvailableSubCommands() && len(positional) > 0 &&
		(!strings.Contains(strings.TrimSpace(cmd.Use), " ") || len(cmd.SuggestionsFor(positional[0])) > 0) {
		return "", fmt.Errorf("unknown command %q for %q", positional[0], cmd.CommandPath())
	}
	for _, validate := range []func() error{
		func() error { return cmd.ValidateArgs(positional) },
		cmd.ValidateRequiredFlags,
		cmd.ValidateFlagGroups,
	} {
		if err := validate(); err != nil {
			return "", err
		}
	}
	return cmd.CommandPath(), nil
}

// exampleLines are the example's lines with continuations (a trailing
// backslash) joined, trimmed; blank lines and comment lines are dropped.
func exampleLines(example string) []string {
	var lines []string
	var cur strings.Builder
	for _, raw := range strings.Split(example, "\n") {
		line := strings.TrimSpace(raw)
		if continued, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(strings.TrimSpace(continued) + " ")
			continue
		}
		cur.WriteString(line)
		if joined := strings.TrimSpace(cur.String()); joined != "" && !strings.HasPrefix(joined, "#") {
			lines = append(lines, joined)
		}
		cur.Reset()
	}
	if joined := strings.TrimSpace(cur.String()); joined != "" && !strings.HasPrefix(joined, "#") {
		lines = append(lines, joined)
	}
	return lines
}

var shellAssignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// bokuctlInvocations splits a shell line into simple commands at pipes,
// lists, redirections and $( … ) / <( … ), and returns the arguments of
// those that run bokuctl (after any VAR=value assignments). Quotes and
// backslashes are undone, a word starting with # starts a comment, and a
// redirection's file is not an argument.
func bokuctlInvocations(line string) ([][]string, error) {
	var (
		segments [][]string
		words    []string
		word     strings.Builder
		inWord   bool
	)
	endWord := func() {
		if inWord {
			words = append(words, word.String())
		}
		word.Reset()
		inWord = false
	}
	endSegment := func() {
		endWord()
		segments = append(segments, words)
		words = nil
	}
	const operators = "|&;<>()"
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case r == '\'':
			j := i + 1
			for ; j < len(runes) && runes[j] != '\''; j++ {
				word.WriteRune(runes[j])
			}
			if j == len(runes) {
				return nil, fmt.Errorf("unterminated quote")
			}
			inWord = true
			i = j
		case r == '"':
			j := i + 1
			for ; j < len(runes) && runes[j] != '"'; j++ {
				if runes[j] == '\\' && j+1 < len(runes) && strings.ContainsRune("\"\\$`", runes[j+1]) {
					j++
				}
				word.WriteRune(runes[j])
			}
			if j == len(runes) {
				return nil, fmt.Errorf("unterminated quote")
			}
			inWord = true
			i = j
		case r == '\\' && i+1 < len(runes):
			i++
			word.WriteRune(runes[i])
			inWord = true
		case r == ' ' || r == '\t':
			endWord()
		case r == '#' && !inWord:
			i = len(runes)
		case strings.ContainsRune(operators, r) || r == '$' && i+1 < len(runes) && runes[i+1] == '(':
			if (r == '<' || r == '>') && inWord && strings.Trim(word.String(), "0123456789") == "" {
				word.Reset() // the 2 of 2>…: a file descriptor, not an argument
				inWord = false
			}
			endSegment()
			for i+1 < len(runes) && strings.ContainsRune(operators, runes[i+1]) {
				i++
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	endSegment()
	var invocations [][]string
	for _, seg := range segments {
		for len(seg) > 0 && shellAssignment.MatchString(seg[0]) {
			seg = seg[1:]
		}
		if len(seg) > 0 && seg[0] == "bokuctl" {
			invocations = append(invocations, seg[1:])
		}
	}
	return invocations, nil
}
