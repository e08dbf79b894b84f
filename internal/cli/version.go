package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// buildInfo is what `version` prints: which build is running, so a bug
// report or a postmortem can name it.
type buildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"build_date"`
	Go      string `json:"go"`
}

// resolveBuild fills what -ldflags did not set from the VCS stamps Go
// records in the binary (go build in a git checkout): the commit, marked
// "-dirty" when the tree had changes, and the commit's time as the date.
// What neither knows stays "unknown"; the version falls back to the
// module's own (go install) or "dev".
func resolveBuild(app *App, read func() (*debug.BuildInfo, bool)) buildInfo {
	b := buildInfo{Version: app.Version, Commit: app.Commit, Date: app.BuildDate, Go: runtime.Version()}
	if bi, ok := read(); ok {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if b.Commit == "" && settings["vcs.revision"] != "" {
			b.Commit = settings["vcs.revision"]
			if settings["vcs.modified"] == "true" {
				b.Commit += "-dirty"
			}
		}
		if b.Date == "" {
			b.Date = settings["vcs.time"]
		}
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		b.Go = bi.GoVersion
	}
	if b.Version == "" {
		b.Version = defaultVersion
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

// text is the version as people read it, also for --version.
func (b buildInfo) text() string {
	return fmt.Sprintf("kafka-runbook %s\ncommit: %s\nbuilt:  %s\ngo:     %s\n", b.Version, b.Commit, b.Date, b.Go)
}

func newVersionCmd(app *App, build buildInfo) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date of kafka-runbook",
		Long: `Print which build of kafka-runbook this is: its version, the commit it was
built from and when, and the Go version. 'make build' sets them with
-ldflags; a plain 'go build' in a git checkout takes the commit and its
time from the build's VCS stamp.`,
		Example: `  kafka-runbook version
  kafka-runbook version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flag("output").Value.String() == string(render.FormatJSON) {
				return render.JSON(app.IO.Out, build)
			}
			_, err := fmt.Fprint(app.IO.Out, build.text())
			return err
		},
	}
}

// versionTemplate makes --version print what `version` prints; cobra's
// template language needs the braces escaped.
func versionTemplate(b buildInfo) string {
	return strings.NewReplacer("{{", "{{`{{`}}").Replace(b.text())
}
