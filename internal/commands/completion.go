package commands

import (
	"github.com/spf13/cobra"
)

func newCompletionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print a completion script for the given shell.

Examples:
  source <(secretctl completion bash)
  secretctl completion zsh > "${fpath[1]}/_secretctl"
  secretctl completion fish > ~/.config/fish/completions/secretctl.fish

Exit status:
  0 on success, 2 on an unknown shell.`,
		Args:      exactArgs(1, "a shell name (bash, zsh, fish or powershell)"),
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(f.IO.Out, true)
			case "zsh":
				return root.GenZshCompletion(f.IO.Out)
			case "fish":
				return root.GenFishCompletion(f.IO.Out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(f.IO.Out)
			}
			return usageErrorf("completion: unknown shell %q (want bash, zsh, fish or powershell)", args[0])
		},
	}
}
