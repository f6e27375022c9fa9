package cmd

import "github.com/spf13/cobra"

// Every command shows an example in its help and reference page (issue 15);
// examples_test.go checks that each one runs. Most commands set their
// Example where they are built (groups with cmdutil.WithExample); this file
// has the examples of the commands cobra creates.

// completionExamples are the Examples of the commands cobra's
// InitDefaultCompletionCmd creates, by path below the root. The ways to
// load the scripts are the ones cobra's own help for them gives.
var completionExamples = map[string]string{
	"completion": `  source <(bokuctl completion bash)
  bokuctl completion zsh > "${fpath[1]}/_bokuctl"
  bokuctl completion fish > ~/.config/fish/completions/bokuctl.fish`,
	"completion bash": `  source <(bokuctl completion bash)                          # this shell only
  bokuctl completion bash > /etc/bash_completion.d/bokuctl   # every new shell (Linux)`,
	"completion zsh": `  source <(bokuctl completion zsh)                  # this shell only
  bokuctl completion zsh > "${fpath[1]}/_bokuctl"   # every new shell`,
	"completion fish": `  bokuctl completion fish | source   # this shell only
  bokuctl completion fish > ~/.config/fish/completions/bokuctl.fish`,
	"completion powershell": `  bokuctl completion powershell | Out-String | Invoke-Expression
  # add the line above to your PowerShell profile ($PROFILE) for every session`,
}

// setCompletionExamples gives the completion commands their examples. Call
// it after InitDefaultCompletionCmd.
func setCompletionExamples(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Example = completionExamples["completion"]
		for _, sub := range c.Commands() {
			if example, ok := completionExamples["completion "+sub.Name()]; ok {
				sub.Example = example
			}
		}
	}
}
