package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/views"
)

// nameFilter is one of describe's name flags and what it can match.
type nameFilter struct {
	flag, kind string   // "--topic", "topic"
	given      []string // the names typed
	known      []string // the names the snapshot holds, sorted
	// partial: known holds only the names asked for (groups are collected
	// only for the --group ids), so it cannot offer choices.
	partial  bool
	listWith string // the command that lists them
	// unsure says why a name missing from the snapshot may still exist (a
	// source that failed); "" when the snapshot is complete.
	unsure string
}

// checkNames refuses a describe whose --topic or --group names match
// nothing the cluster has: the view would be empty and look like good news.
// When every name of a flag matches nothing the error says so, with the
// choices or the command that lists them (exit 3); when only some do, a
// warning names them and the view is shown.
func checkNames(app *App, view string, snap *snapshot.Snapshot, f views.Filter) error {
	var filters []nameFilter
	switch view {
	case "topics", "partitions", "configs":
		known := make([]string, 0, len(snap.Topics))
		for _, t := range snap.Topics {
			known = append(known, t.Name)
		}
		filters = append(filters, nameFilter{flag: "--topic", kind: "topic", given: f.Topics, known: known,
			listWith: "kafka-runbook describe topics", unsure: unsureText(snap, snapshot.SourceMetadata)})
	case "groups":
		known := make([]string, 0, len(snap.Groups))
		for _, g := range snap.Groups {
			known = append(known, g.ID)
		}
		filters = append(filters, nameFilter{flag: "--group", kind: "consumer group", given: f.Groups, known: known, partial: true,
			listWith: "kafka-runbook describe groups", unsure: unsureText(snap, snapshot.SourceGroups)})
	}
	for _, nf := range filters {
		slices.Sort(nf.known)
		var missing []string
		for _, name := range nf.given {
			if _, found := slices.BinarySearch(nf.known, name); !found {
				missing = append(missing, name)
			}
		}
		switch {
		case len(missing) == 0:
		case nf.unsure != "":
			fmt.Fprintf(app.IO.Err, "Warning: %s %s matches no %s read, but %s: it may exist.\n", nf.flag, strings.Join(missing, ","), nf.kind, nf.unsure)
		case len(missing) == len(nf.given):
			return exitcode.Usagef(nf.choices(), "%s %s matches no %s of cluster %s: nothing to describe", nf.flag, strings.Join(missing, ","), nf.kind, snap.ClusterID)
		default:
			fmt.Fprintf(app.IO.Err, "Warning: %s %s matches no %s; %s.\n", nf.flag, strings.Join(missing, ","), nf.kind, nf.choices())
		}
	}
	return nil
}

// choices names the names to choose from, or how to list them when there
// are too many to read in one line.
func (nf nameFilter) choices() string {
	const listed = 8
	switch n := len(nf.known); {
	case nf.partial:
		return fmt.Sprintf("%s names are exact and case-sensitive; list the cluster's with '%s'", nf.flag, nf.listWith)
	case n == 0:
		return fmt.Sprintf("the cluster has no %s at all", nf.kind)
	case n <= listed:
		return fmt.Sprintf("%s names are exact and case-sensitive; the cluster has: %s", nf.flag, strings.Join(nf.known, ", "))
	default:
		return fmt.Sprintf("%s names are exact and case-sensitive; list the cluster's %d with '%s'", nf.flag, n, nf.listWith)
	}
}

// unsureText says which reads failed that could hide a name.
func unsureText(snap *snapshot.Snapshot, source string) string {
	if errs := snap.ErrorsFor(source); len(errs) > 0 {
		return fmt.Sprintf("%s could not be read everywhere (%s)", source, errs[0].Message)
	}
	return ""
}
