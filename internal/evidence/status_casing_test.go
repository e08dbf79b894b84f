package evidence

import (
	"os"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// oldStatusDir is a bundle written before the triage report and the
// runbook transcript moved to schema_version 2 ("status":"CRITICAL", not
// "critical"). It must still read, with the same statuses.
const oldStatusDir = "testdata/bundle-status-v1"

func TestOldStatusCasingStillReads(t *testing.T) {
	b, err := Open(oldStatusDir)
	if err != nil {
		t.Fatal(err)
	}
	rep, ok, err := b.Findings()
	if err != nil || !ok || rep.SchemaVersion != 1 || rep.Status != verdict.Warning {
		t.Errorf("old triage report: ok %v err %v, schema %d, status %s", ok, err, rep.SchemaVersion, rep.Status)
	}
	trs, err := b.Transcripts()
	if err != nil || len(trs) != 1 || trs[0].SchemaVersion != 1 || trs[0].Status != verdict.Critical {
		t.Fatalf("old transcript: %v, %+v", err, trs)
	}
}

// TestNewDocumentsWriteOneCasing: the current writer's documents carry
// schema_version 2 and a lower-case status, like every severity.
func TestNewDocumentsWriteOneCasing(t *testing.T) {
	if triage.SchemaVersion != 2 || runbooks.TranscriptSchemaVersion != 2 {
		t.Fatalf("schema versions %d, %d", triage.SchemaVersion, runbooks.TranscriptSchemaVersion)
	}
	for _, f := range []string{"findings.json", "transcripts/20260314T031040.000Z-broker-failure.json"} {
		data, err := os.ReadFile(fixtureDir + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(data)
		if !strings.Contains(doc, `"schema_version": 2`) || strings.Contains(doc, `"status": "CRITICAL"`) || strings.Contains(doc, `"status": "WARNING"`) {
			t.Errorf("%s: not version 2 with a lower-case status", f)
		}
	}
}
