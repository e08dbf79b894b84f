package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the import path prefix of this module's packages.
const module = "github.com/kafka-runbook/kafka-runbook/"

// rule says that the packages matching from, except those matching
// except, must not depend, directly or through other packages, on any
// package matching forbid. Patterns are module-relative; "x/..." matches
// x and everything below it.
type rule struct {
	why    string
	from   []string
	except []string
	forbid []string
}

// rules are the layering of docs/ARCHITECTURE.md. They apply to the
// packages as built: _test.go files and test-only packages (test/integration)
// are not checked, so tests may reach across layers.
var rules = []rule{
	{
		why:    "only the command layer collects from a live cluster; everything else asks through the diag/source ports",
		from:   []string{"..."},
		except: []string{"diag/collect", "internal/cli", "cmd/...", "test/..."},
		forbid: []string{"diag/collect"},
	},
	{
		why:    "diag/ is the bottom layer: it knows no runbook, command, evidence bundle or triage report",
		from:   []string{"diag/..."},
		forbid: []string{"runbooks/...", "internal/cli", "internal/evidence", "internal/triage"},
	},
	{
		why:    "runbooks are a library: they know no command",
		from:   []string{"runbooks/..."},
		forbid: []string{"internal/cli"},
	},
	{
		why:    "diag/ is public API: it depends on no internal package but the leaf internal/words",
		from:   []string{"diag/..."},
		forbid: []string{"internal/..."},
	},
	{
		why:    "serve, its metrics and its alert rules are libraries the command layer drives: they know no command",
		from:   []string{"internal/serve", "internal/exporter", "internal/alerts"},
		forbid: []string{"internal/cli"},
	},
	{
		why:    "internal/words is a leaf anyone may use: it depends on nothing of this module",
		from:   []string{"internal/words"},
		forbid: []string{"..."},
	},
}

// allowed are dependencies no rule forbids although a pattern matches them.
var allowed = map[string]bool{"internal/words": true}

func TestLayering(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 10 || pkgs["diag/collect"] == nil || pkgs["internal/cli"] == nil {
		t.Fatalf("go list found %d packages of this module, want the whole module", len(pkgs))
	}
	for _, v := range violations(pkgs, rules) {
		t.Error(v)
	}
}

// TestRulesCatchABadImport proves the checker on a small graph: a check
// that reaches internal/triage through another package, and a runbook
// that imports the command layer.
func TestRulesCatchABadImport(t *testing.T) {
	pkgs := map[string]*pkg{
		"diag/checks":       {Imports: []string{"diag/snapshot", "diag/helper"}},
		"diag/helper":       {Imports: []string{"internal/triage"}},
		"diag/snapshot":     {},
		"internal/triage":   {Imports: []string{"diag/snapshot"}},
		"internal/cli":      {Imports: []string{"diag/collect", "runbooks"}},
		"diag/collect":      {Imports: []string{"diag/snapshot", "internal/words"}},
		"runbooks":          {Imports: []string{"internal/cli"}},
		"internal/words":    {},
		"cmd/kafka-runbook": {Imports: []string{"internal/cli"}},
	}
	got := violations(pkgs, rules)
	want := []string{
		"diag/checks depends on internal/triage (diag/checks -> diag/helper -> internal/triage)",
		"diag/helper depends on internal/triage (diag/helper -> internal/triage)",
		"runbooks depends on diag/collect (runbooks -> internal/cli -> diag/collect)",
		"runbooks depends on internal/cli (runbooks -> internal/cli)",
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
			t.Errorf("missing violation %q; got:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if len(got) != 6 { // the two diag/ packages break two rules each
		t.Errorf("%d violations, want 6:\n%s", len(got), strings.Join(got, "\n"))
	}
}

// pkg is a package of this module as go list describes it; Imports holds
// only this module's packages, module-relative.
type pkg struct {
	ImportPath string
	Imports    []string
}

// listPackages reads the module's packages and their imports (not their
// tests' imports) with go list.
func listPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		p.ImportPath = strings.TrimPrefix(p.ImportPath, module)
		var own []string
		for _, imp := range p.Imports {
			if rel, ok := strings.CutPrefix(imp, module); ok {
				own = append(own, rel)
			}
		}
		p.Imports = own
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

// violations lists every dependency a rule forbids, with the import path
// that leads to it and the rule's reason, sorted.
func violations(pkgs map[string]*pkg, rules []rule) []string {
	var out []string
	for name := range pkgs {
		for _, r := range rules {
			if !matchAny(name, r.from) || matchAny(name, r.except) {
				continue
			}
			for dep, path := range reachable(pkgs, name) {
				if dep != name && matchAny(dep, r.forbid) && !allowed[dep] {
					out = append(out, name+" depends on "+dep+" ("+strings.Join(path, " -> ")+"): "+r.why)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// reachable maps every package name depends on to one shortest import
// path from name to it.
func reachable(pkgs map[string]*pkg, name string) map[string][]string {
	paths := map[string][]string{name: {name}}
	queue := []string{name}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		p := pkgs[cur]
		if p == nil {
			continue
		}
		for _, imp := range p.Imports {
			if _, seen := paths[imp]; !seen {
				paths[imp] = append(slices.Clone(paths[cur]), imp)
				queue = append(queue, imp)
			}
		}
	}
	return paths
}

// matchAny reports whether a module-relative package path matches one of
// the patterns: "x" matches x only, "x/..." matches x and below, "..."
// matches everything.
func matchAny(path string, patterns []string) bool {
	for _, p := range patterns {
		prefix, tree := strings.CutSuffix(p, "/...")
		switch {
		case p == "...", path == p, tree && (path == prefix || strings.HasPrefix(path, prefix+"/")):
			return true
		}
	}
	return false
}
