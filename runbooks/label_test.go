package runbooks

import (
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TestStepLabelFollowsWhatItFound: a step's label ("Verdict [LABEL]") is the
// severity of what it found. Each case is a step that once said "[ok]"
// above harm it had found, or called a recovery flapping.
func TestStepLabelFollowsWhatItFound(t *testing.T) {
	healthy := func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") }
	isr := func(ids ...int32) func(t *testing.T) *snapshot.Snapshot {
		return func(t *testing.T) *snapshot.Snapshot {
			return variant(t, "healthy", func(s *snapshot.Snapshot) { part(t, s, "orders", 0).ISR = ids })
		}
	}
	tests := []struct {
		name      string
		runbook   string
		step      int
		env       func(t *testing.T) *Env
		label     string
		verdict   string // a substring the verdict must have
		notInText string // and one it must not
	}{
		{
			name: "1 zombie-leader step 4: records to be truncated are critical", runbook: "zombie-leader", step: 4,
			env: func(t *testing.T) *Env {
				env := testEnv(t, recorded(fixture(t, "zombie")))
				env.Epochs = zombieEpochs()
				env.Probe = &fakeProber{samples: []logEnds{{3: {tp("orders", 2): 1521500, tp("__consumer_offsets", 2): 87100,
					tp("clickstream", 1): 9801300, tp("payments", 1): 40100}}}}
				return env
			},
			label: "critical", verdict: "will be truncated when they rejoin",
		},
		{
			name: "2 zombie-leader step 4: no zombie is ok", runbook: "zombie-leader", step: 4,
			env: func(t *testing.T) *Env {
				env := testEnv(t, recorded(converged(t)))
				env.Epochs, env.Probe = zombieEpochs(), &fakeProber{}
				return env
			},
			label: "ok", verdict: "nothing will be truncated",
		},
		{
			name: "3 isr-shrinkage step 3: a stalled follower is a warning", runbook: "isr-shrinkage", step: 3,
			env: func(t *testing.T) *Env {
				env := testEnv(t, recorded(lagging(t)))
				env.Probe = &fakeProber{samples: []logEnds{
					{1: {tp("orders", 0): 1000, tp("orders", 1): 900}, 2: {tp("orders", 1): 1000, tp("payments", 0): 600}, 3: {tp("orders", 0): 100, tp("payments", 0): 500}},
					{1: {tp("orders", 0): 1100, tp("orders", 1): 1000}, 2: {tp("orders", 1): 1000, tp("payments", 0): 700}, 3: {tp("orders", 0): 200, tp("payments", 0): 500}},
				}}
				return env
			},
			label: "warning", verdict: "1 stalled",
		},
		{
			name: "4 isr-shrinkage step 4: a single recovery is ok and not flapping", runbook: "isr-shrinkage", step: 4,
			env: func(t *testing.T) *Env {
				_, env, _ := pollingEnv(t, []func(t *testing.T) *snapshot.Snapshot{isr(1, 2), isr(1, 2), healthy})
				return env
			},
			label: "ok", verdict: "grew back on 1 partition", notInText: "edge of replica.lag.time.max.ms",
		},
		{
			name: "5 isr-shrinkage step 4: leaving and rejoining is flapping, a warning", runbook: "isr-shrinkage", step: 4,
			env: func(t *testing.T) *Env {
				_, env, _ := pollingEnv(t, []func(t *testing.T) *snapshot.Snapshot{healthy, isr(1, 2), healthy})
				return env
			},
			label: "warning", verdict: "flapped on 1 partition",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := RunStep(t.Context(), loadRunbook(t, tt.runbook), tt.step, tt.env(t))
			if res.Severity != tt.label {
				t.Errorf("label [%s], want [%s]; verdict %q, findings %d", res.Severity, tt.label, res.Verdict, len(res.Findings))
			}
			if !strings.Contains(res.Verdict, tt.verdict) {
				t.Errorf("verdict %q lacks %q", res.Verdict, tt.verdict)
			}
			if tt.notInText != "" && strings.Contains(res.Verdict, tt.notInText) {
				t.Errorf("verdict %q says %q", res.Verdict, tt.notInText)
			}
		})
	}
}
