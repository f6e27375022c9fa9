// Command gendocs writes bokuctl's command reference, as markdown or man
// pages, for `make docs` and the docs freshness test. It lives outside the
// shipped binary so that cobra/doc and the markdown and man-page renderers
// it pulls in (blackfriday, go-md2man) are not linked into bokuctl, whose
// start-up they slowed (issue 15). It is not under internal/ because
// nothing there may import cmd.
//
// Usage: go run ./tools/gendocs --dir DIR [--format markdown|man]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/spf13/cobra/doc"

	"github.com/bokuctl/bokuctl/cmd"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/output"
)

func main() {
	dir := flag.String("dir", "", "folder to write into (created if missing)")
	format := flag.String("format", "markdown", "markdown or man")
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gendocs --dir DIR [--format markdown|man]")
		os.Exit(2)
	}
	if err := generate(*dir, *format); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// generate writes the reference for every command into dir. The output
// depends only on the code, so the committed docs/reference can be checked
// for drift.
func generate(dir, format string) error {
	root := cmd.NewRootCmd(&cmdutil.Factory{IO: &output.IOStreams{}, Getenv: func(string) string { return "" }})
	root.DisableAutoGenTag = true
	switch format {
	case "markdown", "man":
	default:
		return fmt.Errorf("invalid --format %q: use markdown or man", format)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if format == "man" {
		return doc.GenManTree(root, &doc.GenManHeader{Title: "BOKUCTL", Section: "1", Source: "bokuctl", Manual: "bokuctl manual"}, dir)
	}
	return doc.GenMarkdownTree(root, dir)
}
