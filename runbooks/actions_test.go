package runbooks

import "testing"

// TestSelfRunsAsPrinted: a printed kafka-runbook command carries how to
// reach the cluster, quoted for a shell.
func TestSelfRunsAsPrinted(t *testing.T) {
	tests := []struct {
		name string
		c    Commands
		want string
	}{
		{"from the connection fields", Commands{Bootstrap: "k1:9092,k2:9092", CommandConfig: "/etc/kafka/my client.properties", BootstrapController: "c1:9093"},
			"kafka-runbook run broker-failure -b k1:9092,k2:9092 --bootstrap-controller c1:9093 --command-config '/etc/kafka/my client.properties'"},
		{"flags given whole", Commands{Bootstrap: "k1:9092", SelfFlags: []string{"--from", "incident 42", "--at", "2026-03-14T03:12:00Z"}},
			"kafka-runbook run broker-failure --from 'incident 42' --at 2026-03-14T03:12:00Z"},
		{"no bootstrap known", Commands{}, "kafka-runbook run broker-failure -b BOOTSTRAP"},
	}
	for _, tt := range tests {
		if got := tt.c.Self("run", "broker-failure"); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}
