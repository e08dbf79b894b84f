// Package playbooks embeds the incident scenario files that kafka-runbook
// serves with its simulated cluster (internal/sim): the demo, and later the
// tabletop drills. Each file is one scenario, named <scenario>.yaml.
package playbooks

import (
	"embed"
	"io/fs"
	"strings"
)

// files is read-only: embed.FS has no way to change what it holds.
//
//go:embed *.yaml
var files embed.FS

// FS returns the embedded scenario files, for sim.Load.
func FS() fs.FS { return files }

// List returns the names of the embedded scenarios (file names without
// ".yaml"), sorted.
func List() []string {
	entries, _ := fs.ReadDir(files, ".") // sorted by name; cannot fail on an embed.FS root
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	return names
}
