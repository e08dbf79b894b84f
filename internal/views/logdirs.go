package views

import (
	"fmt"
	"math"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// LogDirsView is `describe logdirs`: every log directory of every broker
// that answered, with its space and health.
type LogDirsView struct {
	LogDirs  []LogDirRow `json:"log_dirs"`
	Warnings []Warning   `json:"warnings"`
}

// LogDirRow is one log directory.
type LogDirRow struct {
	Broker int32  `json:"broker"`
	Path   string `json:"path"`
	// Error is KAFKA_STORAGE_ERROR for an offline directory, "" when healthy.
	Error string `json:"error"`
	// SizeBytes sums the partitions in the directory. TotalBytes and
	// UsableBytes are -1 when the broker does not report them.
	SizeBytes   int64 `json:"size_bytes"`
	TotalBytes  int64 `json:"total_bytes"`
	UsableBytes int64 `json:"usable_bytes"`
	// UsablePercent is UsableBytes/TotalBytes*100, -1 when unknown.
	UsablePercent float64 `json:"usable_percent"`
	Partitions    int     `json:"partitions"`
}

// LogDirs builds the log dirs view. The filter does not apply: disks are
// per broker, not per topic.
func LogDirs(s *snapshot.Snapshot, _ Filter) LogDirsView {
	v := LogDirsView{LogDirs: []LogDirRow{}}
	seen := map[int32]bool{}
	for _, d := range s.LogDirs {
		seen[d.Broker] = true
		r := LogDirRow{
			Broker: d.Broker, Path: d.Path, Error: d.Error, SizeBytes: d.SizeBytes,
			TotalBytes: d.TotalBytes, UsableBytes: d.UsableBytes, UsablePercent: -1, Partitions: d.Partitions,
		}
		if d.TotalBytes > 0 && d.UsableBytes >= 0 {
			// Two decimals: more is noise, and a short decimal keeps JSON
			// output stable to read and diff.
			r.UsablePercent = math.Round(float64(d.UsableBytes)*10000/float64(d.TotalBytes)) / 100
		}
		v.LogDirs = append(v.LogDirs, r)
	}
	w := warningsFrom(s, Filter{}, snapshot.SourceLogDirs)
	// A broker with replicas but no directories and no recorded error is a
	// gap nobody explained: say so rather than leave its rows out quietly.
	for _, b := range s.Brokers {
		if seen[b.ID] || hasError(s, snapshot.SourceLogDirs, b.ID, "") {
			continue
		}
		w = append(w, missing(snapshot.SourceLogDirs, b.ID, "", "no log directories reported"))
	}
	v.Warnings = sortWarnings(w)
	return v
}

// Tables returns the log dir table.
func (v LogDirsView) Tables() []render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	t := render.Table{
		Title: fmt.Sprintf("Log directories (%d)", len(v.LogDirs)),
		Columns: []render.Column{
			num("Broker"), {Name: "Path"}, dropped(num("Size"), 3), dropped(num("Total"), 4), dropped(num("Usable"), 2), num("Usable %"),
			dropped(num("Partitions"), 5), {Name: "Error", Wrap: true},
		},
		Rows:     [][]string{},
		Empty:    "no log directories reported",
		Warnings: warningLines(v.Warnings),
	}
	for _, d := range v.LogDirs {
		t.Rows = append(t.Rows, []string{
			itoa(int(d.Broker)), d.Path, render.Bytes(d.SizeBytes), render.Bytes(d.TotalBytes),
			render.Bytes(d.UsableBytes), render.Percent(d.UsableBytes, d.TotalBytes), itoa(d.Partitions), d.Error,
		})
	}
	return []render.Table{t}
}
