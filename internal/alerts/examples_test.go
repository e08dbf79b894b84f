package alerts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// examplesDir holds the Prometheus and Alertmanager configuration the
// README shows; test/integration runs real servers on the same files.
const examplesDir = "../../docs/examples"

func lookTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv(requirePrometheusEnv) != "" {
			t.Fatalf("%s is required (%s is set) but not installed: apt-get install %s", name, requirePrometheusEnv, pkg)
		}
		t.Skipf("%s not installed (Debian package %s); set %s=1 to make this a failure", name, pkg, requirePrometheusEnv)
	}
	return path
}

// TestExampleConfigsAreValid: the example prometheus.yml loads with the
// rules `alerts --metrics kafka-runbook` writes beside it, and the example
// alertmanager.yml sends an alert of these rules both to serve's webhook
// and to the pager.
func TestExampleConfigsAreValid(t *testing.T) {
	tool := promtool(t)
	amtool := lookTool(t, "amtool", "prometheus-alertmanager")
	dir := t.TempDir()
	prom, err := os.ReadFile(filepath.Join(examplesDir, "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), prom, 0o644); err != nil {
		t.Fatal(err)
	}
	var rules bytes.Buffer
	if err := Write(&rules, Options{Metrics: KafkaRunbook}, FormatRules); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kafka-runbook-rules.yml"), rules.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	am := filepath.Join(examplesDir, "alertmanager.yml")
	if out, err := exec.Command(amtool, "check-config", am).CombinedOutput(); err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	out, err := exec.Command(amtool, "config", "routes", "test", "--config.file="+am, "alertname=KafkaBrokerDown", "code=BROKER_DOWN").Output()
	if err != nil {
		t.Fatalf("amtool config routes test: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "kafka-runbook-evidence,on-call" {
		t.Fatalf("an alert with a code goes to %q, want kafka-runbook-evidence,on-call", got)
	}
}
