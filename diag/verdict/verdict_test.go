package verdict

import (
	"encoding/json"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
)

func TestOf(t *testing.T) {
	info := findings.Finding{Code: "I", Severity: findings.Info}
	warn := findings.Finding{Code: "W", Severity: findings.Warning}
	crit := findings.Finding{Code: "C", Severity: findings.Critical}
	tests := []struct {
		name string
		fs   []findings.Finding
		ev   Evidence
		want Status
		why  string
	}{
		{"1 nothing evaluated", []findings.Finding{crit}, Evidence{Nothing: true}, Unknown, "rule 1: no metadata, no verdict"},
		{"2 critical with gaps", []findings.Finding{warn, crit}, Evidence{Gaps: 3}, Critical, "rule 2: what was found holds"},
		{"2 warning with gaps", []findings.Finding{info, warn}, Evidence{Gaps: 1}, Warning, "rule 2"},
		{"3 info with gaps", []findings.Finding{info}, Evidence{Gaps: 1}, Unknown, "rule 3: partial evidence is not health"},
		{"3 no findings with gaps", nil, Evidence{Gaps: 9}, Unknown, "rule 3: the broker that answers only Metadata"},
		{"4 info only", []findings.Finding{info}, Evidence{}, OK, "rule 4"},
		{"4 nothing found", nil, Evidence{}, OK, "rule 4"},
		{"critical", []findings.Finding{crit}, Evidence{}, Critical, "rule 2"},
	}
	for _, tc := range tests {
		if got := Of(tc.fs, tc.ev); got != tc.want {
			t.Errorf("%s: Of = %s, want %s (%s)", tc.name, got, tc.want, tc.why)
		}
	}
}

func TestStatusJSONRoundTrip(t *testing.T) {
	for _, s := range []Status{OK, Warning, Critical, Unknown} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Status
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("%s -> %s -> %s (%v)", s, b, back, err)
		}
	}
	var s Status
	if err := json.Unmarshal([]byte(`"FINE"`), &s); err == nil {
		t.Error("an unknown status name was accepted")
	}
}
