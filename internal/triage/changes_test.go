package triage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
)

func TestFindingChanges(t *testing.T) {
	part := func(code string, sev findings.Severity, topic string, p int32, summary string) findings.Finding {
		return findings.Finding{Code: code, Severity: sev, Topic: topic, Partition: findings.Int32(p), Summary: summary}
	}
	broker := func(code string, sev findings.Severity, id int32) findings.Finding {
		return findings.Finding{Code: code, Severity: sev, Broker: findings.Int32(id), Summary: "s"}
	}
	tests := []struct {
		name      string
		prev, cur []findings.Finding
		want      []string // kind code subject [was]
	}{
		{"nothing before, nothing now", nil, nil, nil},
		{"the same findings: no change", []findings.Finding{broker("BROKER_DOWN", findings.Critical, 3)},
			[]findings.Finding{broker("BROKER_DOWN", findings.Critical, 3)}, nil},
		{"a new summary is not a new state (lag numbers move every poll)",
			[]findings.Finding{part("UNDER_MIN_ISR", findings.Critical, "orders", 0, "1 of 2")},
			[]findings.Finding{part("UNDER_MIN_ISR", findings.Critical, "orders", 0, "1 of 2, 12 s")}, nil},
		{"appeared", nil, []findings.Finding{broker("BROKER_DOWN", findings.Critical, 3)},
			[]string{"appeared BROKER_DOWN broker 3"}},
		{"cleared", []findings.Finding{broker("BROKER_DOWN", findings.Critical, 3)}, nil,
			[]string{"cleared BROKER_DOWN broker 3"}},
		{"another subject of the same code is another finding",
			[]findings.Finding{part("UNDER_REPLICATED", findings.Warning, "orders", 0, "s")},
			[]findings.Finding{part("UNDER_REPLICATED", findings.Warning, "orders", 1, "s")},
			[]string{"cleared UNDER_REPLICATED orders/0", "appeared UNDER_REPLICATED orders/1"}},
		{"severity changed, cleared listed first",
			[]findings.Finding{broker("BROKER_DOWN", findings.Critical, 1), part("LAG", findings.Warning, "t", 0, "s")},
			[]findings.Finding{part("LAG", findings.Critical, "t", 0, "s")},
			[]string{"cleared BROKER_DOWN broker 1", "severity LAG t/0 warning"}},
		{"a second finding of one code and subject is counted",
			[]findings.Finding{broker("X", findings.Info, 1)},
			[]findings.Finding{broker("X", findings.Info, 1), broker("X", findings.Info, 1)},
			[]string{"appeared X broker 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range FindingChanges(tt.prev, tt.cur) {
				s := fmt.Sprintf("%s %s %s", c.Kind, c.Finding.Code, c.Finding.Subject())
				if c.Was != nil {
					s += " " + c.Was.String()
				}
				got = append(got, s)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
