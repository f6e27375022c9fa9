package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// GenerateDocs writes the command reference for every command into dir,
// as markdown or man pages. The output depends only on the code, so the
// committed docs/reference can be checked for drift.
func GenerateDocs(dir, format string) error {
	root := NewRootCmd(&cmdutil.Factory{IO: &output.IOStreams{}, Getenv: func(string) string { return "" }})
	root.DisableAutoGenTag = true
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	switch format {
	case "markdown":
		return doc.GenMarkdownTree(root, dir)
	case "man":
		return doc.GenManTree(root, &doc.GenManHeader{Title: "BOKUCTL", Section: "1", Source: "bokuctl", Manual: "bokuctl manual"}, dir)
	}
	return exitcode.New(exitcode.Usage, "invalid --format %q", format).WithHint("use markdown or man")
}

func newDocsCmd(f *cmdutil.Factory) *cobra.Command {
	var dir, format string
	cmd := &cobra.Command{
		Use:   "docs --dir DIR [--format markdown|man]",
		Short: "Generate the command reference (markdown or man pages)",
		Args:  cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return exitcode.New(exitcode.Usage, "--dir is required").WithHint("for example --dir docs/reference")
			}
			if err := GenerateDocs(dir, format); err != nil {
				return err
			}
			f.Printer.Notice("Wrote the %s reference to %s.", format, dir)
			return f.Printer.Print(docsResult{Dir: dir, Format: format})
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "folder to write into")
	cmd.Flags().StringVar(&format, "format", "markdown", "markdown or man")
	return cmd
}

type docsResult struct {
	Dir    string `json:"dir"`
	Format string `json:"format"`
}

func (r docsResult) Table() output.Table {
	return output.Table{Fields: []output.Field{{Label: "Written", Value: output.Text(fmt.Sprintf("%s (%s)", r.Dir, r.Format))}}}
}
