package cmd

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

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

// The version command alone answers as it does in the whole tree.
func TestVersionAloneAnswersTheSame(t *testing.T) {
	run := func(whole bool, args []string) string {
		wholeTree = whole
		defer func() { wholeTree = false }()
		var out, errOut bytes.Buffer
		ios := &output.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		code := Run(context.Background(), ios, func(string) string { return "" }, args)
		return fmt.Sprintf("%s\n--- stderr\n%s\n--- exit %d", out.String(), errOut.String(), code)
	}
	for _, args := range []string{"version", "-o json version", "version --help", "version extra", "--timeout 0 version", "--jq .go_version version", "version -o csv"} {
		alone, whole := run(false, strings.Fields(args)), run(true, strings.Fields(args))
		if alone != whole {
			t.Errorf("bokuctl %s alone:\n%s\nin the whole tree:\n%s", args, alone, whole)
		}
	}
}
