package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const contextSecret = "Zebra-context-secret"

// contextsEnv writes a contexts file whose current context "demo" reaches
// addr, and returns the environment pointing at it.
func contextsEnv(t *testing.T, addr string) (map[string]string, string) {
	t.Helper()
	dir := t.TempDir()
	props := filepath.Join(dir, "secured.properties")
	if err := os.WriteFile(props, []byte("security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\""+contextSecret+"\";\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	text := `current-context: demo
contexts:
  demo:
    bootstrap: ` + addr + `
    settings:
      client.id: oncall
    labels:
      environment: drill
      dashboard: https://grafana.example.com/d/demo
  secured:
    bootstrap: kafka1:9093
    command-config: secured.properties
    settings:
      sasl.jaas.config: org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="` + contextSecret + `";
      ssl.truststore.password: ` + contextSecret + `
`
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"KAFKA_RUNBOOK_CONFIG": cfg, "HOME": t.TempDir()}, cfg
}

func TestContextListUseShow(t *testing.T) {
	env, cfg := contextsEnv(t, "127.0.0.1:1")
	out, stderr, code := run(t, env, "context", "list")
	if code != 0 || !strings.Contains(out, "*") || !strings.Contains(out, "secured") || !strings.Contains(out, "environment=drill") {
		t.Fatalf("list: exit %d\n%s%s", code, out, stderr)
	}
	out, _, _ = run(t, env, "context", "list", "-o", "json")
	var l contextList
	if err := json.Unmarshal([]byte(out), &l); err != nil || l.Current != "demo" || len(l.Contexts) != 2 || l.File != cfg {
		t.Fatalf("list json: %v %+v", err, l)
	}
	for _, args := range [][]string{{"context", "show", "secured"}, {"context", "show", "secured", "-o", "json"}, {"context", "list", "-o", "json"},
		{"context", "show", "--context", "secured", "-o", "markdown"}} {
		out, stderr, code := run(t, env, args...)
		if code != 0 || strings.Contains(out+stderr, contextSecret) {
			t.Errorf("%v: exit %d, or the secret is shown:\n%s%s", args, code, out, stderr)
		}
		if !strings.Contains(out, "[redacted]") || !strings.Contains(out, "secured.properties") {
			t.Errorf("%v: no redacted setting or command-config path:\n%s", args, out)
		}
	}
	out, _, code = run(t, env, "context", "show")
	if code != 0 || !strings.Contains(out, "Context demo") || !strings.Contains(out, "https://grafana.example.com/d/demo") {
		t.Errorf("show current: exit %d\n%s", code, out)
	}
	out, _, code = run(t, env, "context", "use", "secured")
	if code != 0 || !strings.Contains(out, "Current context is now secured") {
		t.Fatalf("use: exit %d %s", code, out)
	}
	out, _, _ = run(t, env, "context", "show")
	if !strings.Contains(out, "Context secured") {
		t.Errorf("after use, show says:\n%s", out)
	}
	for _, args := range [][]string{{"__complete", "triage", "--context", ""}, {"__complete", "context", "use", ""}} {
		if out, _, _ := run(t, env, args...); !strings.Contains(out, "demo\nsecured\n") {
			t.Errorf("completion of %v: %q", args, out)
		}
	}
	_, stderr, code = run(t, env, "context", "use", "nope")
	if code != 3 || !strings.Contains(stderr, `no context "nope"`) || !strings.Contains(stderr, "known: demo, secured") {
		t.Errorf("use nope: exit %d %s", code, stderr)
	}
}

// TestContextPrecedenceOnTheCommandLine: the current context reaches the
// cluster with no flags; KAFKA_RUNBOOK_CONTEXT and --context pick another;
// -b and KAFKA_BOOTSTRAP_SERVERS win over the context; an unknown name
// is bad input naming where it came from.
func TestContextPrecedenceOnTheCommandLine(t *testing.T) {
	addr := demoCluster(t)
	env, _ := contextsEnv(t, addr)
	if out, stderr, code := run(t, env, "describe", "brokers"); code != 0 || !strings.Contains(out, "Brokers") {
		t.Fatalf("current context: exit %d\n%s%s", code, out, stderr)
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range env {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"env context", with("KAFKA_RUNBOOK_CONTEXT", "secured"), nil, 3, "kafka1:9093"},
		{"flag over env context", with("KAFKA_RUNBOOK_CONTEXT", "secured"), []string{"--context", "demo"}, 0, ""},
		{"unknown env context", with("KAFKA_RUNBOOK_CONTEXT", "nope"), nil, 3, `KAFKA_RUNBOOK_CONTEXT: no context "nope"`},
		{"unknown flag context", env, []string{"--context", "nope"}, 3, `--context: no context "nope"`},
		{"-b over context", env, []string{"-b", "127.0.0.1:1", "--timeout", "2s"}, 3, "127.0.0.1:1"},
		{"env bootstrap over context", with("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"), []string{"--timeout", "2s"}, 3, "127.0.0.1:1"},
		{"env command-config over context", with("KAFKA_RUNBOOK_COMMAND_CONFIG", "/nonexistent/x.properties"), nil, 3,
			"KAFKA_RUNBOOK_COMMAND_CONFIG: --command-config: cannot open client properties"},
		{"-b skips the current context", with("KAFKA_RUNBOOK_CONFIG", currentSecured(t, env)), []string{"-b", addr}, 0, ""},
		{"-b keeps a context named with --context", env, []string{"-b", addr, "--context", "secured", "--timeout", "2s"}, 3, "no bootstrap server answered"},
		{"broken contexts file", with("KAFKA_RUNBOOK_CONFIG", writeFile(t, "contexts:\n  a:\n    boostrap: x\n")), nil, 3, "field boostrap not found"},
		{"broken contexts file, -b given", with("KAFKA_RUNBOOK_CONFIG", writeFile(t, "contexts:\n  a:\n    boostrap: x\n")), []string{"-b", addr}, 0, ""},
	}
	// A context with secrets inline in a file others may read earns a warning.
	readable := currentSecured(t, env)
	if err := os.Chmod(readable, 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, _ := run(t, with("KAFKA_RUNBOOK_CONFIG", readable), "describe", "brokers", "--timeout", "1s")
	if !strings.Contains(stderr, "Warning: context secured holds sasl.jaas.config, ssl.truststore.password inline") || strings.Contains(stderr, contextSecret) {
		t.Errorf("no warning about readable inline secrets, or the secret shown:\n%s", stderr)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := run(t, tc.env, append([]string{"describe", "brokers"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d and %q:\n%s%s", code, tc.code, tc.want, out, stderr)
			}
			if strings.Contains(out+stderr, contextSecret) {
				t.Errorf("the secret is shown:\n%s%s", out, stderr)
			}
		})
	}
}

// currentSecured copies env's contexts file with "secured" as the current context.
func currentSecured(t *testing.T, env map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(env["KAFKA_RUNBOOK_CONFIG"])
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(env["KAFKA_RUNBOOK_CONFIG"]), "secured-current.yaml")
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), "current-context: demo", "current-context: secured", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDemoIgnoresContexts: the demo's simulated cluster is reached with its own address only,
// whatever context or KAFKA_RUNBOOK_COMMAND_CONFIG is around.
func TestDemoIgnoresContexts(t *testing.T) {
	env, _ := contextsEnv(t, "127.0.0.1:1")
	env["KAFKA_RUNBOOK_CONFIG"] = currentSecured(t, env)
	env["KAFKA_RUNBOOK_CONTEXT"] = "secured"
	env["KAFKA_RUNBOOK_COMMAND_CONFIG"] = "/nonexistent/client.properties"
	out, stderr, _ := run(t, env, "demo")
	if strings.Contains(stderr, "Error:") || !strings.Contains(out, "Simulated incident") {
		t.Errorf("demo with a context around:\n%s%s", out, stderr)
	}
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPrintedCommandsCarryTheContext: with a context (current, or from
// KAFKA_RUNBOOK_CONTEXT) every command triage and run print names it, and
// runs as printed; KAFKA_RUNBOOK_COMMAND_CONFIG becomes --command-config.
func TestPrintedCommandsCarryTheContext(t *testing.T) {
	addr := demoCluster(t)
	env, _ := contextsEnv(t, addr)
	props := writeFile(t, "security.protocol=PLAINTEXT\n")
	envProps := map[string]string{"KAFKA_RUNBOOK_COMMAND_CONFIG": props}
	for k, v := range env {
		envProps[k] = v
	}
	for _, tc := range []struct {
		env   map[string]string
		reach []string
	}{
		{env, []string{"--context demo"}},
		{envProps, []string{"--context demo", "--command-config " + props}},
	} {
		var outputs []string
		for _, args := range [][]string{{"triage"}, {"run", "broker-failure", "--yes", "--plan-dir", t.TempDir()}, {"run", "isr-shrinkage", "--yes", "--interval", "10ms"}} {
			out, stderr, _ := run(t, tc.env, args...)
			outputs = append(outputs, out, stderr)
		}
		text := strings.Join(outputs, "\n")
		seen := checkPrintedCommands(t, tc.env, text, "", tc.reach...)
		if !slices.ContainsFunc(seen, func(s string) bool { return strings.HasPrefix(s, "run ") && strings.Contains(s, "--context demo") }) {
			t.Errorf("no printed run command with --context: %q", seen)
		}
		if strings.Contains(text, " -b ") {
			t.Errorf("a printed command repeats the context's bootstrap:\n%s", grepLines(text, " -b "))
		}
	}
}
