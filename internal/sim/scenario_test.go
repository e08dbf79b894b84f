package sim

import (
	"errors"
	"strings"
	"testing"
)

const baseYAML = `schema_version: 1
name: v
title: validation
expected_findings: [BROKER_DOWN]
brokers:
  - {id: 1, state: up}
  - {id: 2, state: up}
  - {id: 3, state: down}
topics:
  - name: t
    configs: {min.insync.replicas: "2"}
    partitions:
      - {partition: 0, replicas: [1, 2, 3], isr: [1, 2], leader: 1, leader_epoch: 1, records: 10}
groups:
  - {id: g, state: Stable, members: 1, lag: {t: {0: 5}}}
`

const partLine = `{partition: 0, replicas: [1, 2, 3], isr: [1, 2], leader: 1, leader_epoch: 1, records: 10}`

func TestBaseScenarioIsValid(t *testing.T) {
	sc, err := Parse("v.yaml", []byte(baseYAML))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Source() != "v.yaml" || *sc.Topics[0].Partitions[0].Leader != 1 {
		t.Errorf("parsed %+v", sc)
	}
}

func TestScenarioErrors(t *testing.T) {
	part := func(s string) [2]string { return [2]string{partLine, s} }
	cases := []struct {
		name string
		edit [2]string // replace edit[0] with edit[1] in baseYAML; empty edit[0] replaces the whole file
		want []string  // substrings of the error, in order of appearance
	}{
		{"empty file", [2]string{"", "  \n"}, []string{"v.yaml: empty scenario"}},
		{"bad yaml", [2]string{"title: validation", "title: [unclosed"}, []string{"v.yaml: yaml:"}},
		{"unknown top-level field", [2]string{"title:", "owner: me\ntitle:"}, []string{"v.yaml:", "field owner not found"}},
		{"unknown nested field", part(`{partition: 0, replicas: [1, 2, 3], isr: [1, 2], leaders: 1, records: 10}`),
			[]string{"field leaders not found"}},
		{"two documents", [2]string{"", baseYAML + "---\n" + baseYAML}, []string{"v.yaml: more than one YAML document"}},
		{"missing schema_version", [2]string{"schema_version: 1\n", ""}, []string{"v.yaml: schema_version: missing; must be 1"}},
		{"newer schema_version", [2]string{"schema_version: 1", "schema_version: 2"},
			[]string{"schema_version: 2 is not supported; this build reads 1"}},
		{"bad name", [2]string{"name: v", "name: Demo Thing"}, []string{`name: "Demo Thing" must be lower case`}},
		{"missing title", [2]string{"title: validation", "title: ' '"}, []string{"title: required"}},
		{"bad finding code", [2]string{"[BROKER_DOWN]", "[broker-down]"}, []string{"expected_findings[0]:"}},
		{"duplicate broker id", [2]string{"{id: 2, state: up}", "{id: 1, state: up}"},
			[]string{"brokers[1].id: duplicate broker id 1"}},
		{"bad broker state", [2]string{"{id: 3, state: down}", "{id: 3, state: sleeping}"},
			[]string{`brokers[2].state: "sleeping" is not one of up, down, hung, fenced`}},
		{"missing broker state", [2]string{"{id: 3, state: down}", "{id: 3}"}, []string{"brokers[2].state: required"}},
		{"no broker up", [2]string{"{id: 1, state: up}\n  - {id: 2, state: up}", "{id: 1, state: down}\n  - {id: 2, state: hung}"},
			[]string{"brokers: at least one broker must be up"}},
		{"controller not up", [2]string{"brokers:", "controller_id: 3\nbrokers:"}, []string{"controller_id: 3 is not an up broker"}},
		{"unknown broker in replicas", part(`{partition: 0, replicas: [1, 2, 4], isr: [1, 2], leader: 1, records: 10}`),
			[]string{"topics[t].partitions[0].replicas: unknown broker id 4"}},
		{"replica twice", part(`{partition: 0, replicas: [1, 2, 2], isr: [1, 2], leader: 1, records: 10}`),
			[]string{"replicas: broker 2 listed twice"}},
		{"isr not in replicas", part(`{partition: 0, replicas: [1, 2], isr: [1, 2, 3], leader: 1, records: 10}`),
			[]string{"topics[t].partitions[0].isr: broker 3 is not in replicas [1 2]"}},
		{"empty isr", part(`{partition: 0, replicas: [1, 2, 3], isr: [], leader: -1, records: 10}`),
			[]string{"isr: must not be empty"}},
		{"missing leader", part(`{partition: 0, replicas: [1, 2, 3], isr: [1, 2], records: 10}`),
			[]string{"leader: required (-1 for an offline partition)"}},
		{"leader not in replicas", part(`{partition: 0, replicas: [1, 2], isr: [1, 2], leader: 3, records: 10}`),
			[]string{"leader: broker 3 is not in replicas [1 2]"}},
		{"leader not in isr", part(`{partition: 0, replicas: [1, 2, 3], isr: [1], leader: 2, records: 10}`),
			[]string{"leader: broker 2 is not in isr [1]"}},
		{"leader on a down broker", part(`{partition: 0, replicas: [3, 1], isr: [3, 1], leader: 3, records: 10}`),
			[]string{"leader: broker 3 is down", "isr: broker 3 is down"}},
		{"offline with a live isr member", part(`{partition: 0, replicas: [1, 3], isr: [1, 3], leader: -1, records: 10}`),
			[]string{"leader: -1 but ISR member 1 is up"}},
		{"offsets and records", part(`{partition: 0, replicas: [1], isr: [1], leader: 1, records: 10, offsets: {earliest: 0, latest: 5}}`),
			[]string{"give offsets or records, not both"}},
		{"earliest above latest", part(`{partition: 0, replicas: [1], isr: [1], leader: 1, offsets: {earliest: 9, latest: 5}}`),
			[]string{"offsets: need 0 <= earliest <= latest, got 9..5"}},
		{"replica lag on leader", part(`{partition: 0, replicas: [1, 2], isr: [1, 2], leader: 1, records: 10, replica_lag: {1: 2}}`),
			[]string{"replica_lag[1]: the leader's log end offset"}},
		{"partition numbering", part(`{partition: 1, replicas: [1], isr: [1], leader: 1, records: 10}`),
			[]string{"topics[t].partitions[1].partition: partitions must be numbered 0..0"}},
		{"config typo", [2]string{"{min.insync.replicas: \"2\"}", "{min.insync.replica: \"2\"}"},
			[]string{"topics[t].configs.min.insync.replica: unknown topic config"}},
		{"min isr not a number", [2]string{"{min.insync.replicas: \"2\"}", "{min.insync.replicas: two}"},
			[]string{`configs.min.insync.replicas: "two" must be an integer >= 1`}},
		{"bad topic name", [2]string{"name: t\n", "name: 't t'\n"}, []string{`topics[t t].name: "t t" is not a legal topic name`}},
		{"partitions and count", [2]string{"    partitions:", "    partition_count: 3\n    partitions:"},
			[]string{"topics[t]: give either partitions or partition_count"}},
		{"replication factor above broker count", [2]string{"    partitions:\n      - " + partLine, "    partition_count: 2\n    replication_factor: 4"},
			[]string{"replication_factor: 4 is not in 1..3"}},
		{"too many records", part(`{partition: 0, replicas: [1], isr: [1], leader: 1, records: 9000000}`),
			[]string{"topics: 9000000 records in total"}},
		{"lag on unknown topic", [2]string{"lag: {t: {0: 5}}", "lag: {u: {0: 5}}"}, []string{"groups[g].lag.u: unknown topic"}},
		{"lag on unknown partition", [2]string{"lag: {t: {0: 5}}", "lag: {t: {3: 5}}"}, []string{"groups[g].lag.t[3]: topic t has no partition 3"}},
		{"lag above latest", [2]string{"lag: {t: {0: 5}}", "lag: {t: {0: 50}}"}, []string{"lag 50 is not in 0..10"}},
		{"committed and lag", [2]string{"lag: {t: {0: 5}}", "lag: {t: {0: 5}}, committed: {t: {0: 1}}"},
			[]string{"groups[g].lag.t[0]: also in committed"}},
		{"stable without members", [2]string{"members: 1", "members: 0"}, []string{"groups[g].members: a Stable group has at least one member"}},
		{"bad group state", [2]string{"state: Stable", "state: Rebalancing"}, []string{`groups[g].state: "Rebalancing" is not one of`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.edit[1]
			if tc.edit[0] != "" {
				if !strings.Contains(baseYAML, tc.edit[0]) {
					t.Fatalf("edit %q does not apply", tc.edit[0])
				}
				doc = strings.Replace(baseYAML, tc.edit[0], tc.edit[1], 1)
			}
			_, err := Parse("v.yaml", []byte(doc))
			if err == nil {
				t.Fatal("no error")
			}
			msg, at := err.Error(), 0
			for _, w := range tc.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("error %q lacks %q", msg, w)
				}
				at += i + len(w)
			}
		})
	}
}

func TestValidationErrorListsEveryProblem(t *testing.T) {
	doc := strings.Replace(baseYAML, "name: v", "name: V", 1)
	doc = strings.Replace(doc, "{id: 3, state: down}", "{id: 3, state: gone}", 1)
	_, err := Parse("v.yaml", []byte(doc))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	if len(ve.Problems) != 2 || ve.Problems[0].Field != "name" || ve.Problems[1].Field != "brokers[2].state" {
		t.Errorf("problems %+v", ve.Problems)
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "v.yaml: brokers[2].state: ") {
		t.Errorf("error text %q", err)
	}
}

func TestStartRejectsInvalidScenario(t *testing.T) {
	sc := &Scenario{SchemaVersion: 1, Name: "x", Title: "x"}
	if _, err := Start(t.Context(), sc); err == nil || !strings.Contains(err.Error(), "brokers: at least one broker") {
		t.Errorf("Start: %v", err)
	}
}
