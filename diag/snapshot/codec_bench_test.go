package snapshot_test

import (
	"bytes"
	"io"
	"sync"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
)

// codecSize is the benchmark cluster: 100,000 partitions, 50 brokers, 5,000
// groups, and every live broker's own metadata view, as triage collects it.
var codecSize = bigsnap.Large()

var encoded = sync.OnceValues(func() (*snapshot.Snapshot, []byte) {
	s := bigsnap.Generate(codecSize)
	var b bytes.Buffer
	if err := snapshot.Encode(&b, s); err != nil {
		panic(err)
	}
	return s, b.Bytes()
})

// BenchmarkEncode writes the snapshot as the snapshot command does.
func BenchmarkEncode(b *testing.B) {
	s, doc := encoded()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := snapshot.Encode(io.Discard, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode reads it back, as triage --since and replays do.
func BenchmarkDecode(b *testing.B) {
	_, doc := encoded()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := snapshot.Decode(bytes.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
}
