package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/drill"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/playbooks"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// DrillOptions are the flags every drill command shares.
type DrillOptions struct {
	// StateDir holds the drill sessions; empty means the XDG default.
	StateDir string
	// ScenarioDir is a directory of the user's own scenario files, read
	// before the embedded ones.
	ScenarioDir string
}

func newDrillCmd(app *App, conn *ConnOptions) *cobra.Command {
	opts := &DrillOptions{}
	cmd := &cobra.Command{
		Use:   "drill",
		Short: "Rehearse an incident on a simulated cluster: list, start, note, stop, from-bundle",
		Long: `Run a tabletop drill: 'drill start SCENARIO' serves a simulated cluster in the
middle of an incident over the real Kafka protocol on 127.0.0.1 and prints its
bootstrap address and the facilitator's briefing. The team uses kafka-runbook,
kcat or Kafka's own tools against it exactly as in a real incident, while the
scenario's timed injects change the cluster (a broker stops answering, an ISR
shrinks, a leader moves).

From other terminals, 'drill note "text"' records a decision with its time, and
'drill stop' ends the drill and writes the drill report: what was injected
when, what the team ran and noted when, the time to the first correct
finding, whether the expected runbook was opened, and every change made to
the cluster, dangerous ones marked.

Scenarios are embedded (see 'drill list'); --scenario-dir adds your own
(playbooks/FORMAT.md describes the format), and 'drill from-bundle' turns a
recorded incident into one.`,
		Example: `  kafka-runbook drill list
  kafka-runbook drill start zombie-leader          # facilitator's terminal
  kafka-runbook triage -b 127.0.0.1:PORT           # the team, elsewhere
  kafka-runbook drill note "broker 3 is a zombie, not restarting 1 or 2"
  kafka-runbook drill stop --out drill-report.md`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&opts.StateDir, "state-dir", "", "where drill sessions live (default $XDG_STATE_HOME/kafka-runbook or ~/.local/state/kafka-runbook)")
	pf.StringVar(&opts.ScenarioDir, "scenario-dir", "", "directory of your own scenario files (<name>.yaml), read before the embedded ones")
	cmd.AddCommand(newDrillListCmd(app, conn, opts), newDrillStartCmd(app, opts), newDrillNoteCmd(app, opts),
		newDrillStopCmd(app, opts), newDrillFromBundleCmd(app, opts))
	return cmd
}

// stateDir resolves --state-dir, $XDG_STATE_HOME or ~/.local/state.
func (o *DrillOptions) stateDir(app *App) (string, error) {
	if o.StateDir != "" {
		return o.StateDir, nil
	}
	dir, err := stateHome(app)
	if err != nil {
		return "", exitcode.Usage(err, "pass --state-dir DIR")
	}
	return dir, nil
}

// selfCommand is a drill command line to print: it carries --state-dir
// when one was given, so another terminal finds the same drill.
func (o *DrillOptions) selfCommand(args ...string) string {
	words := append([]string{"kafka-runbook", "drill"}, args...)
	if o.StateDir != "" {
		words = append(words, "--state-dir", o.StateDir)
	}
	return runbooks.ShellLine(words...)
}

// scenarioRef is a scenario found by name or path.
type scenarioRef struct {
	name string
	// path is the file, or "" for an embedded scenario.
	path string
}

func (r scenarioRef) source() string {
	if r.path == "" {
		return "embedded"
	}
	return r.path
}

// available lists the scenarios: the user's directory first, then the
// embedded ones it does not replace.
func (o *DrillOptions) available() ([]scenarioRef, error) {
	var out []scenarioRef
	if o.ScenarioDir != "" {
		entries, err := os.ReadDir(o.ScenarioDir)
		if err != nil {
			return nil, exitcode.Usagef("check --scenario-dir", "scenario directory %s: %v", o.ScenarioDir, unwrapPathErr(err))
		}
		for _, e := range entries {
			if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
				out = append(out, scenarioRef{name: name, path: filepath.Join(o.ScenarioDir, e.Name())})
			}
		}
	}
	for _, name := range playbooks.List() {
		if !slices.ContainsFunc(out, func(r scenarioRef) bool { return r.name == name }) {
			out = append(out, scenarioRef{name: name})
		}
	}
	slices.SortFunc(out, func(a, b scenarioRef) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// resolve finds a scenario by name, or takes a path to a .yaml file.
func (o *DrillOptions) resolve(arg string) (scenarioRef, error) {
	if strings.HasSuffix(arg, ".yaml") || strings.ContainsRune(arg, os.PathSeparator) {
		return scenarioRef{name: strings.TrimSuffix(filepath.Base(arg), ".yaml"), path: arg}, nil
	}
	refs, err := o.available()
	if err != nil {
		return scenarioRef{}, err
	}
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.name
		if r.name == arg {
			return r, nil
		}
	}
	return scenarioRef{}, exitcode.Usagef("choose one of: "+strings.Join(names, ", "), "unknown scenario %q", arg)
}

// load reads and validates the scenario. Every problem names the file.
func (r scenarioRef) load() (*sim.Scenario, error) {
	hint := "fix the scenario file; playbooks/FORMAT.md describes the format"
	if r.path == "" {
		sc, err := sim.Load(playbooks.FS(), r.name+".yaml")
		if err != nil {
			return nil, exitcode.Usage(err, hint)
		}
		return sc, nil
	}
	data, err := os.ReadFile(r.path)
	if err != nil {
		return nil, exitcode.Usagef(hint, "scenario file %s: %v", r.path, unwrapPathErr(err))
	}
	sc, err := sim.Parse(r.path, data)
	if err != nil {
		return nil, exitcode.Usage(err, hint)
	}
	return sc, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// expectedRunbook is the scenario's runbook, or its first expected
// finding's.
func expectedRunbook(sc *sim.Scenario) string {
	if sc.ExpectedRunbook != "" {
		return sc.ExpectedRunbook
	}
	for _, code := range sc.ExpectedFindings {
		if e, ok := findings.Lookup(code); ok && e.Runbook != "" {
			return e.Runbook
		}
	}
	return ""
}

// scenarioList is the `drill list` view.
type scenarioList struct {
	Scenarios []scenarioRow `json:"scenarios"`
}

type scenarioRow struct {
	Name             string   `json:"name"`
	Title            string   `json:"title"`
	Injects          int      `json:"injects"`
	Duration         string   `json:"last_inject_at"`
	ExpectedRunbook  string   `json:"expected_runbook"`
	ExpectedFindings []string `json:"expected_findings"`
	Source           string   `json:"source"`
}

func (l scenarioList) Tables() []render.Table {
	t := render.Table{Title: "Drill scenarios", Empty: "no scenario",
		Columns: []render.Column{{Name: "Name"}, {Name: "Injects", Align: render.AlignRight}, {Name: "Last at"}, {Name: "Runbook"}, {Name: "Title", Wrap: true}}}
	for _, s := range l.Scenarios {
		t.Rows = append(t.Rows, []string{s.Name, fmt.Sprint(s.Injects), s.Duration, s.ExpectedRunbook, s.Title})
	}
	t.Notes = []string{"kafka-runbook drill start NAME serves one; --scenario-dir adds your own."}
	return []render.Table{t}
}

func newDrillListCmd(app *App, conn *ConnOptions, opts *DrillOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the drill scenarios: embedded, and those in --scenario-dir",
		Long: `List the drill scenarios 'drill start' can serve: the embedded ones and, with
--scenario-dir, your own (a file there replaces an embedded scenario of the
same name). Each row gives the number of timed injects, when the last one
fires, the runbook the team is expected to open and the title; --output json
adds the expected findings. Nothing is served or sent to a cluster.

A scenario file that does not load is named on stderr and the command
exits 3 after listing the others. playbooks/FORMAT.md describes the format.`,
		Example: `  kafka-runbook drill list
  kafka-runbook drill list --scenario-dir ./our-drills
  kafka-runbook drill list -o json | jq -r '.scenarios[].name'`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			ropts, err := conn.renderOptions(app.IO)
			if err != nil {
				return err
			}
			refs, err := opts.available()
			if err != nil {
				return err
			}
			list := scenarioList{Scenarios: []scenarioRow{}}
			var bad []error
			for _, r := range refs {
				sc, err := r.load()
				if err != nil {
					bad = append(bad, err)
					continue
				}
				row := scenarioRow{Name: sc.Name, Title: sc.Title, Injects: len(sc.Injects), ExpectedRunbook: expectedRunbook(sc),
					ExpectedFindings: sc.ExpectedFindings, Source: r.source(), Duration: "-"}
				if n := len(sc.Injects); n > 0 {
					row.Duration = "+" + sc.Injects[n-1].At.D().String()
				}
				list.Scenarios = append(list.Scenarios, row)
			}
			if err := render.View(app.IO.Out, ropts, list); err != nil {
				return err
			}
			if len(bad) > 0 {
				for _, err := range bad[1:] {
					fmt.Fprintf(app.IO.Err, "Error: %s\n", oneLine(err.Error()))
				}
				return bad[0]
			}
			return nil
		},
	}
}

func newDrillNoteCmd(app *App, opts *DrillOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "note TEXT...",
		Short: "Record a decision in the running drill, with its time",
		Example: `  kafka-runbook drill note "decided to wait for broker 3; not electing unclean"
  kafka-runbook drill note lowered min.insync.replicas on payments to 1, temporary`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			state, err := opts.stateDir(app)
			if err != nil {
				return err
			}
			sess, err := activeSession(state)
			if err != nil {
				return err
			}
			n := drill.Note{At: time.Now().UTC(), Author: app.Getenv("USER"), Text: strings.Join(args, " ")}
			if err := sess.AddNote(n); err != nil {
				return exitcode.Usage(err, "write the decision as the note's text")
			}
			_, err = fmt.Fprintf(app.IO.Out, "Noted at %s UTC (+%s) in drill %s.\n", n.At.Format("15:04:05"),
				n.At.Sub(sess.Meta.StartedAt).Round(time.Second), sess.Meta.ID)
			return err
		},
	}
}

// activeSession finds the running drill or says how to start one.
func activeSession(state string) (*drill.Session, error) {
	sess, err := drill.Active(state)
	switch {
	case errors.Is(err, drill.ErrNoActive):
		return nil, exitcode.Usagef("start one with 'kafka-runbook drill start SCENARIO' (same --state-dir)", "no drill is running (state directory %s)", state)
	case err != nil:
		return nil, exitcode.Usage(err, "check --state-dir")
	}
	return sess, nil
}
