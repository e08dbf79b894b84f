package cli

import (
	"strings"
	"testing"
)

// TestStepLabelsOnTheDrillScenarios: on the simulated incidents, a runbook
// step's label follows the severity of what it found: the zombie's records
// to be truncated are critical, stalled followers a warning. The whole step
// is a golden file (the bootstrap, which changes per run, replaced).
func TestStepLabelsOnTheDrillScenarios(t *testing.T) {
	tests := []struct {
		scenario, runbook, step, label, golden string
		code                                   int
	}{
		{"zombie-leader", "zombie-leader", "4", "Verdict [critical]: About 932 records", "label-zombie-leader-step4.txt", 2},
		{"isr-slow-follower", "isr-shrinkage", "3", "Verdict [warning]: 4 followers out of the ISR on live brokers, 4 stalled.", "label-isr-shrinkage-step3.txt", 1},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			c, _ := servePlaybook(t, tt.scenario)
			addr := strings.Join(c.Bootstrap(), ",")
			out, stderr, code := run(t, nil, "run", tt.runbook, "-b", addr, "--step", tt.step, "--interval", "100ms")
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(out, tt.label) {
				t.Errorf("no %q in:\n%s", tt.label, out)
			}
			checkGolden(t, tt.golden, []byte(strings.ReplaceAll(out, addr, "BOOTSTRAP")))
		})
	}
}
