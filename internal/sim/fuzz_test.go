package sim

import (
	"io/fs"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// FuzzParseScenario: any scenario file gives a validated scenario or an
// error naming the file, never a panic.
func FuzzParseScenario(f *testing.F) {
	for _, name := range playbooks.List() {
		data, err := fs.ReadFile(playbooks.FS(), name+".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("schema_version: 1\nname: x\nbrokers: [{id: 1, state: up}]\ntopics: [{name: t, partitions: [{partition: 0, replicas: [1, 1, 9], isr: [], leader: -1}]}]\n"))
	f.Add([]byte("schema_version: 1\ntopics: [{name: t, partition_count: 100000000, replication_factor: 3}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Parse("fuzz.yaml", data); err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
	})
}
