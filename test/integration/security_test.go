package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// authDeadline is how fast a refused login or certificate must be reported (issue 5: "within
// 5 s"): a wrong password is an answer, not a hang.
const authDeadline = 5 * time.Second

// TestSecurity runs kafka-runbook against a real cluster with TLS, mutual TLS, SASL/PLAIN and
// SASL/SCRAM-SHA-512 listeners and ACLs on, connecting the way Kafka's own tools do: a
// bootstrap list and a client.properties file. The read-only principal "tool" holds exactly
// the ACLs docs/SECURITY.md lists. Subtests share the cluster and run in order.
func TestSecurity(t *testing.T) {
	sc := startSecured(t, kafkatest.KeystorePEM)

	t.Run("connects over every listener", func(t *testing.T) { testConnects(t, sc) })
	t.Run("kafka-topics.sh accepts the same properties files", func(t *testing.T) { testJavaAgrees(t, sc) })
	t.Run("wrong password names the mechanism", func(t *testing.T) { testWrongPassword(t, sc) })
	t.Run("untrusted server certificate", func(t *testing.T) { testUntrustedCertificate(t, sc) })
	t.Run("mutual TLS without a client certificate", func(t *testing.T) { testMissingClientCertificate(t, sc) })
	t.Run("topics hidden by ACLs are reported", func(t *testing.T) { testHiddenTopics(t, sc) })
	t.Run("security posture", func(t *testing.T) { testPosture(t, sc) })
	t.Run("a healthy, balanced cluster with valid certificates: audit raises no hygiene code", func(t *testing.T) {
		testHealthyAudit(t, sc)
	})
}

// connection is one way of reaching the secured cluster.
type connection struct {
	name, listener string
	props          []string
}

func (sc *securedCluster) connections() []connection {
	mtls := append([]string{"security.protocol=SSL", "ssl.keystore.type=PKCS12", "ssl.keystore.location=" + sc.toolP12,
		"ssl.keystore.password=" + storePassword, "ssl.key.password=" + storePassword}, sc.trustProps("p12")...)
	return []connection{
		{"TLS, PEM truststore", listenerTLS, append([]string{"security.protocol=SSL"}, sc.trustProps("pem")...)},
		{"mutual TLS, PKCS12 keystore and truststore", listenerMTLS, mtls},
		{"SASL_SSL PLAIN, PEM truststore", listenerSASL, sc.saslProps("PLAIN", "tool", toolPassword, "pem")},
		{"SASL_SSL SCRAM-SHA-512, PKCS12 truststore", listenerSASL, sc.saslProps("SCRAM-SHA-512", "tool", toolPassword, "p12")},
	}
}

// cli runs kafka-runbook against one listener with a properties file.
func (sc *securedCluster) cli(t *testing.T, listener, props string, args ...string) result {
	t.Helper()
	return runCLI(t, append(args, "-b", sc.bootstrap(listener), "--command-config", props)...)
}

func testConnects(t *testing.T, sc *securedCluster) {
	for i, conn := range sc.connections() {
		t.Run(conn.name, func(t *testing.T) {
			props := sc.properties(t, fmt.Sprintf("client-%d.properties", i), conn.props...)
			r := sc.cli(t, conn.listener, props, "describe", "brokers", "-o", "json")
			if r.code != 0 {
				t.Fatalf("describe brokers exit %d: %s", r.code, r.stderr)
			}
			var v struct {
				Brokers []struct {
					ID      int32  `json:"id"`
					Address string `json:"address"`
					Probe   string `json:"probe"`
				} `json:"brokers"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
				t.Fatal(err)
			}
			if len(v.Brokers) != kafkatest.NumBrokers {
				t.Fatalf("%d brokers, want %d: %s", len(v.Brokers), kafkatest.NumBrokers, r.stdout)
			}
			for _, b := range v.Brokers {
				// Metadata answers with the listener the request came in on: every address
				// must be the secured one, or the tool would silently fall back to PLAINTEXT.
				if b.Probe != "ok" || b.Address != sc.ListenerAddr(b.ID, conn.listener) {
					t.Errorf("broker %d: probe %s at %s, want ok at %s", b.ID, b.Probe, b.Address, sc.ListenerAddr(b.ID, conn.listener))
				}
			}
			if r.stderr != "" {
				t.Errorf("unexpected stderr: %s", r.stderr)
			}

			r = sc.cli(t, conn.listener, props, "triage", "-o", "json")
			var rep struct {
				Findings []finding `json:"findings"`
				Errors   []struct {
					Source, Kind, Message string
				} `json:"errors"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("triage exit %d, output not JSON: %v\n%s", r.code, err, r.stderr)
			}
			// A healthy cluster: nothing worse than info (PLAINTEXT_LISTENER is info), and
			// the read-only ACLs are enough to collect everything.
			for _, f := range rep.Findings {
				if f.Severity != "info" {
					t.Errorf("finding %s (%s)", f.key(), f.Severity)
				}
			}
			// READ is optional (docs/SECURITY.md): without it the time lag is
			// denied, listed, and is not a gap.
			errs := slices.DeleteFunc(rep.Errors, func(e struct{ Source, Kind, Message string }) bool {
				return e.Source == "time_lag" && e.Kind == "authorization"
			})
			if len(errs) > 0 {
				t.Errorf("collection errors with the documented read-only ACLs: %+v", errs)
			}
			if r.code != 0 {
				t.Errorf("triage exit %d, want 0: %s", r.code, r.stderr)
			}
			t.Logf("describe brokers and triage OK in %s", r.elapsed.Round(time.Millisecond))
		})
	}
}

// testJavaAgrees runs Kafka's own kafka-topics.sh with the same properties files: the
// files are what an operator already has, not a dialect of this tool.
func testJavaAgrees(t *testing.T, sc *securedCluster) {
	for _, conn := range sc.connections()[1:] { // mutual TLS, SASL PLAIN (PEM), SASL SCRAM (PKCS12)
		props := sc.properties(t, "java.properties", conn.props...)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		out, errOut, err := sc.RunTool(ctx, "org.apache.kafka.tools.TopicCommand",
			"--bootstrap-server", sc.bootstrap(conn.listener), "--command-config", props, "--list")
		cancel()
		if err != nil {
			t.Fatalf("%s: kafka-topics.sh: %v\n%s", conn.name, err, errOut)
		}
		topics := strings.Fields(out)
		sort.Strings(topics)
		if !slices.Contains(topics, "shop.orders") || !slices.Contains(topics, "hr.salaries") {
			t.Errorf("%s: kafka-topics.sh --list: %v", conn.name, topics)
		}
	}
}

func testWrongPassword(t *testing.T, sc *securedCluster) {
	for _, mech := range []string{"SCRAM-SHA-512", "PLAIN"} {
		t.Run(mech, func(t *testing.T) {
			props := sc.properties(t, "wrong.properties", sc.saslProps(mech, "tool", "Not-The-Pa55word", "pem")...)
			for _, cmd := range [][]string{{"describe", "brokers"}, {"triage"}} {
				r := sc.cli(t, listenerSASL, props, cmd...)
				t.Logf("%v: exit %d in %s\n%s", cmd, r.code, r.elapsed.Round(time.Millisecond), r.stderr)
				if r.code != 3 {
					t.Errorf("%v: exit %d, want 3", cmd, r.code)
				}
				if r.elapsed > authDeadline {
					t.Errorf("%v: took %s, want under %s", cmd, r.elapsed, authDeadline)
				}
				for _, want := range []string{"auth_error", "SASL/" + mech + ` login as "tool" failed`, "Hint:", "sasl.jaas.config"} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("%v: stderr lacks %q", cmd, want)
					}
				}
			}
		})
	}
}

func testUntrustedCertificate(t *testing.T, sc *securedCluster) {
	props := sc.properties(t, "other-ca.properties", "security.protocol=SSL", "ssl.truststore.type=PEM",
		"ssl.truststore.location="+sc.otherCAPEM)
	r := sc.cli(t, listenerTLS, props, "describe", "brokers")
	t.Logf("untrusted: exit %d in %s\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stderr)
	if r.code != 3 || r.elapsed > authDeadline {
		t.Errorf("exit %d after %s, want 3 within %s", r.code, r.elapsed, authDeadline)
	}
	for _, want := range []string{"tls_error", "certificate signed by unknown authority", "Hint:", "ssl.truststore.location"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}

	r = sc.cli(t, listenerTLS, props, "describe", "brokers", "--insecure-skip-tls-verify")
	if r.code != 0 || !strings.Contains(r.stdout, sc.ListenerAddr(1, listenerTLS)) {
		t.Errorf("with --insecure-skip-tls-verify: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "Warning: --insecure-skip-tls-verify") || !strings.Contains(r.stderr, "NOT verified") {
		t.Errorf("--insecure-skip-tls-verify printed no warning: %q", r.stderr)
	}
	if n := strings.Count(r.stderr, "Warning:"); n != 1 {
		t.Errorf("the warning is printed %d times, want once", n)
	}
	t.Logf("--insecure-skip-tls-verify: exit %d, stderr: %s", r.code, r.stderr)
}

func testMissingClientCertificate(t *testing.T, sc *securedCluster) {
	props := sc.properties(t, "no-cert.properties", append([]string{"security.protocol=SSL"}, sc.trustProps("pem")...)...)
	r := sc.cli(t, listenerMTLS, props, "triage")
	t.Logf("no client certificate: exit %d in %s\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stderr)
	if r.code != 3 || r.elapsed > authDeadline {
		t.Errorf("exit %d after %s, want 3 within %s", r.code, r.elapsed, authDeadline)
	}
	for _, want := range []string{"tls_error", "bad certificate", "ssl.keystore.location"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
}

// collectErrors is the errors part of a triage or snapshot document.
type collectErrors struct {
	Errors []struct {
		Source  string `json:"source"`
		Kind    string `json:"kind"`
		Message string `json:"message"`
	} `json:"errors"`
}

// testHiddenTopics: "limited" may describe only the shop.* topics. Metadata leaves the
// others out without a word; the tool must say they exist and were not diagnosed.
func testHiddenTopics(t *testing.T, sc *securedCluster) {
	props := sc.properties(t, "limited.properties", sc.saslProps("SCRAM-SHA-512", "limited", limitedPassword, "pem")...)

	r := sc.cli(t, listenerSASL, props, "describe", "topics", "-o", "json")
	var topics struct {
		Topics []struct {
			Name string `json:"name"`
		} `json:"topics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &topics); err != nil || r.code != 0 {
		t.Fatalf("describe topics exit %d: %v %s", r.code, err, r.stderr)
	}
	var names []string
	for _, tp := range topics.Topics {
		names = append(names, tp.Name)
	}
	if !slices.Equal(names, []string{"shop.orders", "shop.payments"}) {
		t.Errorf("limited sees topics %v, want [shop.orders shop.payments]", names)
	}

	r = sc.cli(t, listenerSASL, props, "triage", "-o", "json")
	var rep collectErrors
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("triage exit %d: %v %s", r.code, err, r.stderr)
	}
	var hidden string
	for _, e := range rep.Errors {
		if e.Source == "metadata" && e.Kind == "authorization" {
			hidden = e.Message
		}
	}
	if !strings.Contains(hidden, "2 topics") || !strings.Contains(hidden, "hr.salaries") || !strings.Contains(hidden, "__consumer_offsets") {
		t.Errorf("triage does not report the hidden topics: %+v", rep.Errors)
	}
	t.Logf("triage as limited: exit %d; %s", r.code, hidden)

	// The table output says it too, under the topics.
	r = sc.cli(t, listenerSASL, props, "describe", "topics")
	if !strings.Contains(r.stdout, "(authorization)") || !strings.Contains(r.stdout, "hr.salaries") {
		t.Errorf("describe topics does not warn about hidden topics:\n%s", r.stdout)
	}
	t.Logf("describe topics as limited:\n%s", r.stdout)
}

// testPosture: the security view and findings show the listeners and ACLs as a client can
// see them; an ACL letting User:ANONYMOUS write is flagged, a harmless wildcard one is not.
func testPosture(t *testing.T, sc *securedCluster) {
	props := sc.properties(t, "tool.properties", sc.saslProps("SCRAM-SHA-512", "tool", toolPassword, "p12")...)

	var view struct {
		Authorizer string `json:"authorizer"`
		Listeners  []struct {
			Broker    int32  `json:"broker"`
			Name      string `json:"name"`
			Protocol  string `json:"protocol"`
			Encrypted bool   `json:"encrypted"`
		} `json:"listeners"`
		ACLs []struct {
			Principal      string `json:"principal"`
			Operation      string `json:"operation"`
			ResourceName   string `json:"resource_name"`
			AnonymousWrite bool   `json:"anonymous_write"`
		} `json:"acls"`
		Warnings []any `json:"warnings"`
	}
	r := sc.cli(t, listenerSASL, props, "describe", "security", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &view); err != nil || r.code != 0 {
		t.Fatalf("describe security exit %d: %v %s", r.code, err, r.stderr)
	}
	var listeners []string
	for _, l := range view.Listeners {
		if l.Broker == 1 {
			listeners = append(listeners, l.Name+":"+l.Protocol)
		}
		if l.Encrypted != (l.Protocol == "SSL" || l.Protocol == "SASL_SSL") {
			t.Errorf("listener %+v: encrypted flag wrong", l)
		}
	}
	want := []string{"MTLS:SSL", "PLAINTEXT:PLAINTEXT", "SASL_SSL:SASL_SSL", "TLS:SSL"}
	if !slices.Equal(listeners, want) || len(view.Listeners) != 4*kafkatest.NumBrokers {
		t.Errorf("listeners of broker 1 = %v (%d in all), want %v", listeners, len(view.Listeners), want)
	}
	if view.Authorizer != kafkatest.StandardAuthorizer || len(view.ACLs) != 10 || len(view.Warnings) != 0 {
		t.Errorf("authorizer %q, %d ACLs (want 10), warnings %v", view.Authorizer, len(view.ACLs), view.Warnings)
	}

	rep, r := sc.triage(t, props)
	if got := keys(rep, "PLAINTEXT_LISTENER"); len(got) != kafkatest.NumBrokers {
		t.Errorf("PLAINTEXT_LISTENER findings %v, want one per broker", got)
	}
	if got := keys(rep, "ACL_ALLOWS_ANONYMOUS_WRITE"); len(got) != 0 || r.code != 0 {
		t.Errorf("before the anonymous ACL: %v, exit %d", got, r.code)
	}

	sc.CreateACLs(t,
		kafkatest.ACL{Principal: "User:ANONYMOUS", Resource: sarama.AclResourceTopic, Name: "shop.payments", Operation: sarama.AclOperationWrite},
		kafkatest.ACL{Principal: "User:*", Resource: sarama.AclResourceTopic, Name: "shop.", Prefixed: true, Operation: sarama.AclOperationDescribe})
	rep, r = sc.triage(t, props)
	if got := keys(rep, "ACL_ALLOWS_ANONYMOUS_WRITE"); !slices.Equal(got, []string{"ACL_ALLOWS_ANONYMOUS_WRITE shop.payments"}) {
		t.Errorf("ACL_ALLOWS_ANONYMOUS_WRITE findings %v, want exactly shop.payments", got)
	}
	if r.code != 1 {
		t.Errorf("triage exit %d, want 1 (warning)", r.code)
	}
	r = sc.cli(t, listenerSASL, props, "describe", "security")
	if !strings.Contains(r.stdout, "unauthenticated clients may write") || !strings.Contains(r.stdout, "Authorizer: "+kafkatest.StandardAuthorizer) {
		t.Errorf("describe security does not mark the anonymous write:\n%s", r.stdout)
	}
	t.Logf("describe security:\n%s", r.stdout)
}

// triage runs `triage -o json` over the SASL listener.
func (sc *securedCluster) triage(t *testing.T, props string) (report, result) {
	t.Helper()
	r := sc.cli(t, listenerSASL, props, "triage", "-o", "json")
	var rep report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("triage exit %d, output not JSON: %v\n%s", r.code, err, r.stderr)
	}
	return rep, r
}

// testHealthyAudit: on a healthy, balanced cluster whose certificates are valid for a year,
// reached over TLS by the read-only principal, audit raises none of the hygiene codes, has
// no gap, and describe security lists each broker's chain.
func testHealthyAudit(t *testing.T, sc *securedCluster) {
	props := sc.properties(t, "audit.properties", sc.saslProps("SCRAM-SHA-512", "tool", toolPassword, "p12")...)
	r := sc.cli(t, listenerSASL, props, "audit", "-o", "json")
	var rep report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("audit exit %d: %v %s", r.code, err, r.stderr)
	}
	if got := keys(rep, hygieneCodes...); len(got) > 0 || len(rep.Unevaluated) > 0 || r.code != 0 {
		t.Errorf("audit exit %d, hygiene findings %q, gaps %+v", r.code, got, rep.Unevaluated)
	}
	ds := sc.cli(t, listenerSASL, props, "describe", "security", "-o", "json")
	var view struct {
		Certificates []struct {
			Broker   int32 `json:"broker"`
			Position int   `json:"position"`
			DaysLeft int   `json:"days_left"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal([]byte(ds.stdout), &view); err != nil {
		t.Fatal(err)
	}
	leaves := 0
	for _, c := range view.Certificates {
		if c.Position == 0 && c.DaysLeft > 300 {
			leaves++
		}
	}
	if leaves != kafkatest.NumBrokers {
		t.Errorf("describe security lists %d valid leaf certificates, want one per broker: %+v", leaves, view.Certificates)
	}
}
