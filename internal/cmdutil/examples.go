package cmdutil

import "github.com/spf13/cobra"

// WithExample sets cmd's Example and returns cmd: for the groups that
// GroupCmd builds. Every command shows an example in its help and
// reference page (issue 15); the root's examples_test.go checks that each
// one runs.
func WithExample(cmd *cobra.Command, example string) *cobra.Command {
	cmd.Example = example
	return cmd
}
