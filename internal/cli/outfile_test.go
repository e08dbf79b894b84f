package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutFileFormatFollowsTheExtension: --out writes the format its
// extension names (or the explicit one), old spellings still work, and
// unknown formats, unknown extensions, contradictions and a file name given
// to -o are refused with exit 3 and a hint, writing nothing.
func TestOutFileFormatFollowsTheExtension(t *testing.T) {
	addr := demoCluster(t)
	cwd := t.TempDir()
	t.Chdir(cwd)
	bundle := filepath.Join(t.TempDir(), "bundle")
	if _, stderr, code := run(t, nil, "evidence", "capture", "-b", addr, "--out", bundle); code != 2 {
		t.Fatalf("capture: exit %d: %s", code, stderr)
	}
	written := []struct {
		args   []string
		file   string
		prefix string
	}{
		{[]string{"evidence", "report", bundle, "--out", "r.html"}, "r.html", "<!DOCTYPE html>"},
		{[]string{"evidence", "report", bundle, "--out", "r.HTM"}, "r.HTM", "<!DOCTYPE html>"},
		{[]string{"evidence", "report", bundle, "--out", "r.md"}, "r.md", "# "},
		{[]string{"evidence", "report", bundle, "--out", "plain", "--format", "html"}, "plain", "<!DOCTYPE html>"},
		{[]string{"evidence", "report", bundle, "--out", "plain2", "-o", "html"}, "plain2", "<!DOCTYPE html>"},
		{[]string{"snapshot", "-b", addr, "--out", "s.json"}, "s.json", "{"},
		{[]string{"snapshot", "-b", addr, "-f", "old.json"}, "old.json", "{"},
		{[]string{"snapshot", "-b", addr, "--file", "older.json"}, "older.json", "{"},
		// Scripts pass one -o to every command; with a file it is what is printed, and nothing is.
		{[]string{"snapshot", "-b", addr, "-f", "tabled.json", "-o", "table"}, "tabled.json", "{"},
		{[]string{"drill", "from-bundle", bundle, "--out", "scenario.yaml"}, "scenario.yaml", "# Generated"},
	}
	for _, w := range written {
		_, stderr, code := run(t, nil, w.args...)
		data, err := os.ReadFile(filepath.Join(cwd, w.file))
		if code != 0 || err != nil || !strings.HasPrefix(strings.TrimSpace(string(data)), w.prefix) {
			t.Errorf("%v: exit %d, %v, %q...; stderr: %s", w.args, code, err, head(data), stderr)
		}
		_ = os.Remove(filepath.Join(cwd, w.file))
	}
	if out, _, code := run(t, nil, "evidence", "report", bundle, "-o", "html"); code != 0 || !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Errorf("-o html: exit %d, %q", code, head([]byte(out)))
	}

	refused := []struct {
		args []string
		want string
	}{
		{[]string{"evidence", "report", bundle, "-o", "report.html"}, "use --out report.html"},
		{[]string{"evidence", "report", bundle, "--out", "r.pdf"}, "cannot write a .pdf file"},
		{[]string{"evidence", "report", bundle, "--format", "pdf"}, `does not write "pdf"`},
		{[]string{"evidence", "report", bundle, "--format", "html", "--out", "r.md"}, "disagree"},
		{[]string{"evidence", "report", bundle, "-o", "json"}, `does not write "json"`},
		{[]string{"snapshot", "-b", addr, "--out", "s.md"}, "cannot write a .md file"},
		{[]string{"snapshot", "-b", addr, "-o", "s.json"}, "use --out s.json"},
		{[]string{"snapshot", "-b", addr, "-o", "markdown"}, `does not write "markdown"`},
		{[]string{"drill", "from-bundle", bundle, "--out", "s.yml"}, "cannot write a .yml file"},
		{[]string{"drill", "stop", "--state-dir", t.TempDir(), "--out", "r.pdf"}, "cannot write a .pdf file"},
		{[]string{"triage", "-b", addr, "-o", "triage.json"}, "add '> triage.json'"},
	}
	for _, r := range refused {
		_, stderr, code := run(t, nil, r.args...)
		if code != 3 || !strings.Contains(stderr, r.want) || strings.Count(stderr, "Error: ") != 1 {
			t.Errorf("%v: exit %d, want 3 saying %q; stderr: %s", r.args, code, r.want, stderr)
		}
		if entries, _ := os.ReadDir(cwd); len(entries) > 0 {
			t.Fatalf("%v was refused but wrote %s", r.args, entries[0].Name())
		}
	}
}

func head(b []byte) string { return string(b[:min(len(b), 40)]) }
