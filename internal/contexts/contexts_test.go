package contexts

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const sample = `# on-call clusters
current-context: prod
contexts:
  prod:
    bootstrap: kafka1:9092,kafka2:9092
    command-config: secrets/prod.properties # relative to this file
    settings:
      client.id: oncall
    labels:
      environment: production
      dashboard: https://grafana.example.com/d/kafka
  staging:
    bootstrap: staging:9092
    command-config: /etc/kafka/staging.properties
`

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	p := write(t, sample)
	f, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Exists || f.Current != "prod" || strings.Join(f.Names(), ",") != "prod,staging" {
		t.Fatalf("got %+v", f)
	}
	prod, _ := f.Get("prod")
	if prod.Name != "prod" || prod.Bootstrap != "kafka1:9092,kafka2:9092" || prod.Settings["client.id"] != "oncall" ||
		prod.Labels["environment"] != "production" {
		t.Errorf("prod %+v", prod)
	}
	if want := filepath.Join(filepath.Dir(p), "secrets", "prod.properties"); prod.CommandConfig != want {
		t.Errorf("relative command-config %q, want %q", prod.CommandConfig, want)
	}
	if s, _ := f.Get("staging"); s.CommandConfig != "/etc/kafka/staging.properties" {
		t.Errorf("absolute command-config %q", s.CommandConfig)
	}
	if _, err := f.Get("dev"); err == nil || !strings.Contains(err.Error(), "known: prod, staging") {
		t.Errorf("unknown context: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"typo", "contexts:\n  prod:\n    boostrap: k:9092\n", "line 3: field boostrap not found"},
		{"bad name", "contexts:\n  'prod cluster':\n    bootstrap: k:9092\n", `context name "prod cluster"`},
		{"not yaml", "contexts: [\n", "config.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(t, tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
	for _, text := range []string{"", "# nothing yet\n"} {
		if f, err := Load(write(t, text)); err != nil || len(f.Contexts) != 0 {
			t.Errorf("empty file %q: %v %+v", text, err, f)
		}
	}
	f, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if err != nil || f.Exists || len(f.Contexts) != 0 {
		t.Errorf("missing file: %v %+v", err, f)
	}
}

func TestPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if p, _ := Path(env(map[string]string{EnvConfig: "/x/c.yaml", "HOME": "/home/u"})); p != "/x/c.yaml" {
		t.Errorf("KAFKA_RUNBOOK_CONFIG: %s", p)
	}
	if runtime.GOOS != "linux" {
		return
	}
	if p, _ := Path(env(map[string]string{"HOME": "/home/u"})); p != "/home/u/.config/kafka-runbook/config.yaml" {
		t.Errorf("HOME: %s", p)
	}
	if p, _ := Path(env(map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg"})); p != "/cfg/kafka-runbook/config.yaml" {
		t.Errorf("XDG_CONFIG_HOME: %s", p)
	}
	if _, err := Path(env(nil)); err == nil || !strings.Contains(err.Error(), EnvConfig) {
		t.Errorf("no HOME: %v", err)
	}
}

// TestSetCurrentKeepsTheRest: use rewrites current-context only; comments,
// order and the other contexts survive, and a missing key is added.
func TestSetCurrentKeepsTheRest(t *testing.T) {
	p := write(t, sample)
	f, _ := Load(p)
	if err := SetCurrent(f, "staging"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	text := string(b)
	for _, want := range []string{"# on-call clusters", "current-context: staging", "# relative to this file", "dashboard: https://grafana.example.com/d/kafka"} {
		if !strings.Contains(text, want) {
			t.Errorf("after use: lacks %q:\n%s", want, text)
		}
	}
	if g, _ := Load(p); g.Current != "staging" || len(g.Contexts) != 2 {
		t.Errorf("reloaded %+v", g)
	}
	if err := SetCurrent(f, "nope"); err == nil {
		t.Error("use of an unknown context succeeded")
	}
	p2 := write(t, "contexts:\n  a:\n    bootstrap: h:1\n")
	f2, _ := Load(p2)
	if err := SetCurrent(f2, "a"); err != nil {
		t.Fatal(err)
	}
	if g, _ := Load(p2); g.Current != "a" {
		t.Errorf("added current-context: %+v", g)
	}
}
