package cmd

import (
	"runtime"

	"github.com/spf13/cobra"

	"github.com/bokuctl/bokuctl/internal/build"
	"github.com/bokuctl/bokuctl/internal/cmdutil"
	"github.com/bokuctl/bokuctl/pkg/output"
)

// versionResult is the output of `bokuctl version`.
type versionResult struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

func (v versionResult) Table() output.Table {
	return output.Table{Fields: []output.Field{
		{Label: "Version", Value: output.Text(v.Version)},
		{Label: "Commit", Value: output.Text(cmdutil.OrNone(v.Commit))},
		{Label: "Built", Value: output.Text(cmdutil.OrNone(v.Date))},
		{Label: "Go", Value: output.Text(v.GoVersion)},
		{Label: "Platform", Value: output.Text(v.Platform)},
	}}
}

func newVersionCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show the version, commit, build date and Go version",
		Example: `  bokuctl version
  bokuctl version --jq .version`,
		Args: cmdutil.UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			info := build.Current()
			return f.Printer.Print(versionResult{
				Version:   info.Version,
				Commit:    info.Commit,
				Date:      info.Date,
				GoVersion: runtime.Version(),
				Platform:  runtime.GOOS + "/" + runtime.GOARCH,
			})
		},
	}
}
