package cmd

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// `bokuctl version` builds only the version command; any other command
// line builds the whole tree.
func TestOnlyVersion(t *testing.T) {
	for args, want := range map[string]bool{
		"version":                       true,
		"-p shop -o json version":       true,
		"--profile=shop version --jq .": true,
		"--debug --no-color version":    true,
		"--json version":                false, // version is --json's value
		"help version":                  false,
		"charge version":                false,
		"--version":                     false,
		"":                              false,
		"-- version":                    false,
	} {
		if got := onlyVersion(strings.Fields(args)); got != want {
			t.Errorf("onlyVersion(%q) = %v, want %v", args, got, want)
		}
	}
}

// runTree runs args with the tree Run builds for them, or with the whole
// tree, and returns what it printed and its exit code.
func runTree(whole bool, args []string) string {
	wholeTree = whole
	defer func() { wholeTree = false }()
	var out, errOut bytes.Buffer
	ios := &output.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := Run(context.Background(), ios, func(string) string { return "" }, args)
	return fmt.Sprintf("%s\n--- stderr\n%s\n--- exit %d", out.String(), errOut.String(), code)
}

// The version command alone answers as it does in the whole tree.
func TestVersionAloneAnswersTheSame(t *testing.T) {
	run := runTree
	for _, args := range []string{"version", "-o json version", "version --help", "version extra", "--timeout 0 version", "--jq .go_version version", "version -o csv"} {
		alone, whole := run(false, strings.Fields(args)), run(true, strings.Fields(args))
		if alone != whole {
			t.Errorf("bokuctl %s alone:\n%s\nin the whole tree:\n%s", args, alone, whole)
		}
	}
}

// `bokuctl --help` and the like build stand-ins for the commands; any
// other command line builds the whole tree.
func TestOnlyRootHelp(t *testing.T) {
	for args, want := range map[string]bool{
		"":                  true,
		"--help":            true,
		"-h":                true,
		"help":              true,
		"help -h":           true,
		"--help -h":         true,
		"help help":         false,
		"help charge":       false,
		"charge --help":     false,
		"--help charge":     false,
		"-p shop --help":    false,
		"--help=true":       false,
		"version":           false,
		"--version":         false,
		"exit-codes":        false,
		"help exit-codes":   false,
		"__complete ''":     false,
		"completion bash":   false,
		"--no-color --help": false,
	} {
		if got := onlyRootHelp(strings.Fields(args)); got != want {
			t.Errorf("onlyRootHelp(%q) = %v, want %v", args, got, want)
		}
	}
}

// The root's help with stand-ins is the root's help of the whole tree.
func TestRootHelpAloneAnswersTheSame(t *testing.T) {
	for _, args := range []string{"", "--help", "-h", "help", "help -h", "help --help", "-h --help"} {
		alone, whole := runTree(false, strings.Fields(args)), runTree(true, strings.Fields(args))
		if alone != whole {
			t.Errorf("bokuctl %s with stand-ins:\n%s\nin the whole tree:\n%s", args, alone, whole)
		}
	}
}

// What rootCommands says of each command is what the built command says:
// its name, its line, and whether it runs; and the whole tree has no
// other command.
func TestRootCommandsAreTheBuiltOnes(t *testing.T) {
	f := cmdutil.NewFactory(nil, func(string) string { return "" })
	root := NewRootCmd(f)
	listed := map[string]bool{"completion": true} // cobra's, added by addCommands
	for _, rc := range rootCommands() {
		listed[rc.name] = true
		c, _, err := root.Find([]string{rc.name})
		if err != nil || c == root {
			t.Errorf("%s: not in the whole tree (%v)", rc.name, err)
			continue
		}
		if c.Name() != rc.name || c.Short != rc.short {
			t.Errorf("rootCommands in cmd/root.go says %q: %q; the command says %q: %q: make them the same", rc.name, rc.short, c.Name(), c.Short)
		}
		if runs := c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand(); runs != (rc.group != "") {
			t.Errorf("%s: runs %v, but rootCommands gives it group %q (a help topic has none)", rc.name, runs, rc.group)
		}
		if c.Hidden || c.Deprecated != "" || len(c.Aliases) > 0 {
			t.Errorf("%s: hidden, deprecated or aliased: a stand-in would not say so; give addCommandStubs that too", rc.name)
		}
	}
	for _, c := range root.Commands() {
		if !listed[c.Name()] {
			t.Errorf("%s is in the tree but not in rootCommands", c.Name())
		}
	}
}

// A command line that selects one command builds only that one, and
// answers as the whole tree does: its help, its usage errors, the root's
// errors and suggestions, the help topics.
func TestLazyTreeAnswersTheSame(t *testing.T) {
	for _, args := range []string{
		"charge --help", "charge", "charge --bogus", "charge hosted --help", "refund --help", "batch --help",
		"batch run --help", "journal list --help", "journal --help", "exit-codes", "environment", "exit-codes --help",
		"sandbox --help", "notify --help", "listen --help", "sign --help", "api --help", "init --help",
		"-p shop charge --help", "--template x charge --help", "-o csv charge --help", "--provider nope charge --help",
		"chrage", "bogus --help", "help charge", "help journal list", "completion bash", "completion --help",
		"--version", "-v", "charge -o csv --optin-id x --amount 1 --currency GBP", "--dry-run status --help",
		"operation --help", "verify-card --help", "version --help", "profile --help", "secret --help",
		"methods --help", "optin --help", "simulate --help", "verify-service --help", "forex --help",
		"fund-check --help", "reconcile --help", "status --help", "-- charge", "charge -- --help",
	} {
		lazy, whole := runTree(false, strings.Fields(args)), runTree(true, strings.Fields(args))
		if lazy != whole {
			t.Errorf("bokuctl %s with only its command built:\n%s\nin the whole tree:\n%s", args, lazy, whole)
		}
	}
}

// lazyRoot builds the selected command and only it, and gives up on the
// command lines that need the whole tree.
func TestLazyRootBuildsOnlyTheSelectedCommand(t *testing.T) {
	f := cmdutil.NewFactory(nil, func(string) string { return "" })
	for args, want := range map[string]string{
		"charge --help":         "charge",
		"-p shop refund create": "refund",
		"journal list":          "journal",
		"exit-codes":            "exit-codes",
		"":                      "",
		"help charge":           "",
		"completion bash":       "",
		"__complete charge ''":  "",
		"__completeNoDesc x":    "",
		"bogus":                 "",
		"--version":             "",
	} {
		root := lazyRoot(f, strings.Fields(args))
		if want == "" {
			if root != nil {
				t.Errorf("lazyRoot(%q) built a tree; want the whole tree", args)
			}
			continue
		}
		if root == nil {
			t.Errorf("lazyRoot(%q) = nil, want %s built", args, want)
			continue
		}
		for _, c := range root.Commands() {
			standIn := c.Annotations[standInAnnotation] == "true"
			if c.Name() == want && standIn {
				t.Errorf("lazyRoot(%q): %s is a stand-in", args, want)
			}
			if c.Name() != want && c.Name() != "completion" && !standIn {
				t.Errorf("lazyRoot(%q): %s was built too", args, c.Name())
			}
		}
	}
}
