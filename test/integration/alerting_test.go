package integration

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/IBM/sarama"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// requirePrometheusEnv makes the Prometheus and Alertmanager peers
// mandatory (CI sets it); without it the test skips where they are not
// installed.
const requirePrometheusEnv = "KAFKA_RUNBOOK_REQUIRE_PROMETHEUS"

// The short intervals of TestAlertToEvidence: one poll, scrape and rule
// evaluation a second, so the whole chain takes seconds.
const (
	alertPoll   = time.Second
	alertScrape = time.Second
)

func requireTool(t *testing.T, name, pkg string) string {
	return testkit.RequirePeer(t, requirePrometheusEnv, pkg, name)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// editYAML reads an example config, lets edit change it, and writes it to dst.
func editYAML(t *testing.T, src, dst string, edit func(doc map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	if data, err = yaml.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func m(v any) map[string]any { return v.(map[string]any) }
func l(v any) []any          { return v.([]any) }

// startPeer runs a long-lived process for the test, its output in a log
// file shown when the test fails.
func startPeer(t *testing.T, name string, args ...string) string {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), filepath.Base(name)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			data, _ := os.ReadFile(logPath)
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			t.Logf("last lines of %s:\n%s", name, strings.Join(lines[max(0, len(lines)-30):], "\n"))
		}
	})
	return logPath
}

func httpBody(url string) (int, string, error) {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// promQuery returns the label sets of an instant query's result.
func promQuery(t *testing.T, prom, query string) []map[string]string {
	t.Helper()
	code, body, err := httpBody(prom + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil || code == http.StatusServiceUnavailable {
		return nil // still starting
	}
	var res struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatalf("query %s: %v\n%s", query, err, body)
	}
	var out []map[string]string
	for _, r := range res.Data.Result {
		out = append(out, r.Metric)
	}
	return out
}

func brokersOf(series []map[string]string) []string {
	var out []string
	for _, s := range series {
		out = append(out, s["broker"])
	}
	slices.Sort(out)
	return out
}

// incident is what the test reads of serve's /incidents.
type incident struct {
	Fingerprint   string `json:"fingerprint"`
	Alert         string `json:"alertname"`
	Status        string `json:"status"`
	Notifications int    `json:"notifications"`
	Bundle        string `json:"bundle"`
	Triage        string `json:"triage"`
	Skipped       string `json:"skipped"`
}

func incidentsFor(t *testing.T, serve, alert string) []incident {
	t.Helper()
	_, body, err := httpBody(serve + "/incidents")
	if err != nil {
		return nil
	}
	var doc struct{ Incidents []incident }
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("/incidents: %v\n%s", err, body)
	}
	var out []incident
	for _, i := range doc.Incidents {
		if i.Alert == alert {
			out = append(out, i)
		}
	}
	return out
}

// TestAlertToEvidence proves the chain from a failure to evidence on one
// real Kafka cluster, with a real Prometheus and Alertmanager configured
// from docs/examples (only addresses and intervals changed): serve is
// scraped; a killed broker is BROKER_DOWN for that broker in Prometheus
// within two poll intervals of the controller fencing it, and clears after
// the restart; the kafka-runbook rules fire; Alertmanager routes the alert
// to serve's webhook, which writes exactly one bundle however often the
// alert is notified, and triage --from on it shows the fault; a hung
// broker never stops /metrics from answering.
func TestAlertToEvidence(t *testing.T) {
	promBin := requireTool(t, "prometheus", "prometheus")
	amBin := requireTool(t, "prometheus-alertmanager", "prometheus-alertmanager")
	began := time.Now()
	c := kafkatest.Start(t, kafkatest.Options{})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	bin := buildTool(t)
	dir := t.TempDir()
	serveAddr, promAddr, amAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	serve, prom := "http://"+serveAddr, "http://"+promAddr

	rules, err := exec.Command(bin, "alerts", "--metrics", "kafka-runbook", "--for", "0s").Output()
	if err != nil {
		t.Fatalf("alerts: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kafka-runbook-rules.yml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	editYAML(t, "../../docs/examples/prometheus.yml", filepath.Join(dir, "prometheus.yml"), func(doc map[string]any) {
		g := m(doc["global"])
		g["scrape_interval"], g["evaluation_interval"] = alertScrape.String(), alertScrape.String()
		m(l(m(l(m(doc["alerting"])["alertmanagers"])[0])["static_configs"])[0])["targets"] = []string{amAddr}
		m(l(m(l(doc["scrape_configs"])[0])["static_configs"])[0])["targets"] = []string{serveAddr}
	})
	editYAML(t, "../../docs/examples/alertmanager.yml", filepath.Join(dir, "alertmanager.yml"), func(doc map[string]any) {
		r := m(doc["route"])
		r["group_wait"], r["group_interval"], r["repeat_interval"] = "1s", "1s", "2s"
		for _, rc := range l(doc["receivers"]) {
			if whs, ok := m(rc)["webhook_configs"]; ok {
				m(l(whs)[0])["url"] = serve + "/alertmanager"
			}
		}
	})

	incidents := filepath.Join(dir, "incidents")
	serveCmd := exec.Command(bin, "serve", "-b", bootstrap(c), "--listen", serveAddr, "--interval", alertPoll.String(),
		"--timeout", "3s", "--incident-dir", incidents)
	serveLogPath := filepath.Join(dir, "serve.log")
	serveLog, err := os.Create(serveLogPath)
	if err != nil {
		t.Fatal(err)
	}
	defer serveLog.Close()
	serveCmd.Stderr = serveLog
	if err := serveCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = serveCmd.Process.Kill()
		_ = serveCmd.Wait()
	})
	startPeer(t, amBin, "--config.file="+filepath.Join(dir, "alertmanager.yml"), "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")
	startPeer(t, promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+promAddr)

	eventually(t, 30*time.Second, "Prometheus to scrape serve", func() bool {
		return len(promQuery(t, prom, `kafka_runbook_findings{code="BROKER_DOWN"} == 0`)) == 1
	})
	setup := time.Since(began)

	t.Run("broker down is a finding, an alert and one bundle", func(t *testing.T) {
		c.Kill(t, 3)
		killed := time.Now()
		// The clock starts when Kafka itself no longer lists broker 3 (the
		// controller fenced it after its session timeout, however long a
		// loaded machine makes that): from then, at most two polls and a
		// scrape, with a second of slack for the HTTP round trips.
		eventually(t, 30*time.Second, "broker 3 fenced: no longer in broker 1's metadata", func() bool {
			md, err := c.BrokerMetadata(1)
			return err == nil && !slices.ContainsFunc(md.Brokers, func(b *sarama.Broker) bool { return b.ID() == 3 })
		})
		fenced := time.Now()
		eventually(t, 20*time.Second, "BROKER_DOWN for broker 3 in Prometheus", func() bool {
			return slices.Equal(brokersOf(promQuery(t, prom, `kafka_runbook_finding{code="BROKER_DOWN"}`)), []string{"3"})
		})
		seen := time.Since(fenced)
		budget := 2*alertPoll + alertScrape + time.Second
		t.Logf("BROKER_DOWN for broker 3 in Prometheus %s after Kafka fenced it (%s after the kill; budget %s)",
			seen.Round(100*time.Millisecond), time.Since(killed).Round(100*time.Millisecond), budget)
		if seen > budget {
			t.Errorf("BROKER_DOWN reached Prometheus %s after Kafka fenced broker 3, more than two polls and a scrape (%s)", seen, budget)
		}
		eventually(t, 10*time.Second, "KafkaBrokerDown firing", func() bool {
			return len(promQuery(t, prom, `ALERTS{alertname="KafkaBrokerDown",alertstate="firing"}`)) == 1
		})
		var inc incident
		eventually(t, 20*time.Second, "a bundle for KafkaBrokerDown and three notifications of it", func() bool {
			is := incidentsFor(t, serve, "KafkaBrokerDown")
			if len(is) == 1 {
				inc = is[0]
			}
			return len(is) == 1 && inc.Bundle != "" && inc.Notifications >= 3
		})
		entries, _ := filepath.Glob(filepath.Join(incidents, "alert-*-KafkaBrokerDown-*"))
		if len(entries) != 1 || entries[0] != inc.Bundle || inc.Triage != "critical" {
			t.Fatalf("%d notifications of KafkaBrokerDown made bundles %v, want exactly %s (triage %s)", inc.Notifications, entries, inc.Bundle, inc.Triage)
		}
		replay := runCLI(t, "triage", "--from", inc.Bundle, "-o", "json")
		var rep report
		if err := json.Unmarshal([]byte(replay.stdout), &rep); err != nil || replay.code != 2 {
			t.Fatalf("triage --from %s: exit %d, %v\n%s", inc.Bundle, replay.code, err, replay.stderr)
		}
		if got := keys(rep, "BROKER_DOWN"); !slices.Equal(got, []string{"BROKER_DOWN broker 3"}) {
			t.Fatalf("triage --from the bundle: BROKER_DOWN = %v, want broker 3", got)
		}

		c.Restart(t, 3)
		restarted := time.Now()
		eventually(t, 20*time.Second, "BROKER_DOWN to clear in Prometheus", func() bool {
			return len(promQuery(t, prom, `kafka_runbook_finding{code="BROKER_DOWN"}`)) == 0 &&
				len(promQuery(t, prom, `kafka_runbook_findings{code="BROKER_DOWN"} == 0`)) == 1
		})
		t.Logf("BROKER_DOWN cleared in Prometheus %s after the restart settled", time.Since(restarted).Round(100*time.Millisecond))
		eventually(t, 20*time.Second, "the incident to resolve and close its bundle", func() bool {
			is := incidentsFor(t, serve, "KafkaBrokerDown")
			return len(is) == 1 && is[0].Status == "resolved"
		})
		var alert evidence.Alert
		eventually(t, 5*time.Second, "alert.json to say resolved", func() bool {
			data, err := os.ReadFile(filepath.Join(inc.Bundle, evidence.AlertFile))
			return err == nil && json.Unmarshal(data, &alert) == nil && alert.Status == "resolved"
		})
		if _, err := evidence.Open(inc.Bundle); err != nil {
			t.Fatalf("the closed bundle does not verify: %v", err)
		}
	})

	t.Run("a hung broker does not stop /metrics", func(t *testing.T) {
		c.Pause(t, 2)
		defer c.Resume(t, 2)
		until := time.Now().Add(4 * alertPoll)
		for time.Now().Before(until) {
			start := time.Now()
			code, body, err := httpBody(serve + "/metrics")
			if err != nil || code != http.StatusOK || !strings.Contains(body, "kafka_runbook_findings{") {
				t.Fatalf("/metrics with broker 2 hung: %d %v", code, err)
			}
			if took := time.Since(start); took > time.Second {
				t.Fatalf("/metrics took %s with broker 2 hung: it must answer from the last poll", took)
			}
			time.Sleep(200 * time.Millisecond)
		}
		eventually(t, 10*time.Second, "a collection error or finding for hung broker 2 in Prometheus", func() bool {
			return len(promQuery(t, prom, `kafka_runbook_collection_errors > 0`)) > 0 ||
				slices.Contains(brokersOf(promQuery(t, prom, `kafka_runbook_finding{code=~"BROKER_UNRESPONSIVE|BROKER_DOWN"}`)), "2")
		})
		if len(promQuery(t, prom, `up{job="kafka-runbook"} == 1`)) != 1 {
			t.Fatal("Prometheus lost its scrape of serve while a broker hung")
		}
	})

	_ = serveCmd.Process.Signal(os.Interrupt)
	waited := make(chan error, 1)
	go func() { waited <- serveCmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("serve after Ctrl-C: %v, want exit 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("serve did not stop within 10s of Ctrl-C")
	}
	t.Logf("setup %s, whole test %s", setup.Round(time.Second), time.Since(began).Round(time.Second))
	logData, _ := os.ReadFile(serveLogPath)
	for _, want := range []string{"alert KafkaBrokerDown", "captured", "resolved", "Stopped."} {
		if !strings.Contains(string(logData), want) {
			t.Errorf("serve's log lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("serve's log:\n%s", logData)
	}
}
