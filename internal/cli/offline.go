package cli

import (
	"github.com/spf13/cobra"
)

// offlineAnnotation marks a command that never connects to a cluster
// (it reads the catalogue, runbooks, bundles or a drill's session, or
// serves a simulated cluster): its help leaves the connection flags out,
// so nobody wonders which broker `codes` talks to.
const offlineAnnotation = "kafka-runbook/offline"

// connectionFlags are the root's flags that only matter to a command that
// connects to a cluster. --output stays: offline commands render too.
var connectionFlags = []string{"bootstrap-server", "bootstrap-controller", "command-config", "property", "insecure-skip-tls-verify", "timeout"}

// offline marks cmd (and so every command under it) as never connecting.
func offline(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[offlineAnnotation] = "true"
	return cmd
}

// isOffline says whether cmd or a command above it is marked offline;
// cobra's own completion commands never connect either.
func isOffline(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[offlineAnnotation] == "true" || c.Name() == "completion" {
			return true
		}
	}
	return false
}

// hideConnectionFlagsOffline wraps the root's help: for an offline command
// the connection flags are hidden while its help is written, then shown
// again (the flags belong to the root and are shared by every command of
// this tree).
func hideConnectionFlagsOffline(root *cobra.Command) {
	help := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		if isOffline(cmd) {
			for _, name := range connectionFlags {
				if f := root.PersistentFlags().Lookup(name); f != nil && !f.Hidden {
					f.Hidden = true
					defer func() { f.Hidden = false }()
				}
			}
		}
		help(cmd, args)
	})
}
