// Package views turns a snapshot into the data behind `kafka-runbook
// describe`: one typed, JSON-friendly value per view (brokers, topics,
// partitions, groups, logdirs, configs).
//
// Views are pure functions of a *snapshot.Snapshot and a Filter: they never
// touch the network, so a recorded snapshot describes exactly as the live
// cluster did. Every list in a view is sorted and never nil, so JSON output
// is stable. Every view also says what it cannot show: collection errors of
// the sources it depends on become Warnings, printed under its tables.
//
// Numbers are raw in the view values (and so in JSON) and humanised only in
// the tables built by each view's Tables method.
package views

import (
	"fmt"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// View is what every describe view returns: data that JSON output encodes
// as is and that table output turns into render.Tables.
type View interface {
	render.Tabler
}

// builders maps a view name, as typed after `describe`, to its function.
var builders = map[string]func(*snapshot.Snapshot, Filter) View{
	"brokers":    func(s *snapshot.Snapshot, f Filter) View { return Brokers(s, f) },
	"topics":     func(s *snapshot.Snapshot, f Filter) View { return Topics(s, f) },
	"partitions": func(s *snapshot.Snapshot, f Filter) View { return Partitions(s, f) },
	"groups":     func(s *snapshot.Snapshot, f Filter) View { return Groups(s, f) },
	"logdirs":    func(s *snapshot.Snapshot, f Filter) View { return LogDirs(s, f) },
	"configs":    func(s *snapshot.Snapshot, f Filter) View { return Configs(s, f) },
	"security":   func(s *snapshot.Snapshot, f Filter) View { return Security(s, f) },
	"quorum":     func(s *snapshot.Snapshot, f Filter) View { return Quorum(s, f) },
}

// Names returns the view names Build accepts, in the order help text lists
// them.
func Names() []string {
	return []string{"brokers", "topics", "partitions", "groups", "logdirs", "configs", "security", "quorum"}
}

// Build returns the named view, for `describe <name>`. An unknown name is
// an error listing the choices.
func Build(name string, snap *snapshot.Snapshot, f Filter) (View, error) {
	b, ok := builders[name]
	if !ok {
		return nil, fmt.Errorf("unknown view %q: choose one of %s", name, strings.Join(Names(), ", "))
	}
	return b(snap, f), nil
}
