package snapshot

import (
	"bytes"
	"testing"
)

// FuzzDecode: any bytes give a snapshot or an error naming the problem,
// never a panic; a decoded snapshot encodes again.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"schema_version":1,"brokers":[{"id":1}],"topics":[{"name":"t","partitions":[{"partition":0,"leader":-1,"replicas":[9,9],"isr":[]}]}]}`,
		`{"schema_version":2}`, `{"schema_version":0}`, `{}`, `[]`, `{"schema_version":1,"topics":null}`,
		`{"schema_version":1,"groups":[{"id":"g","offsets":[{"topic":"t","partition":-5,"committed":-9}]}]}`,
		`{"schema_version":1,"taken_at":"not a time"}`, `{"schema_version":"1"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(bytes.NewReader(data))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		var buf bytes.Buffer
		if err := Encode(&buf, s); err != nil {
			t.Fatalf("decoded snapshot does not encode: %v", err)
		}
		if _, err := Decode(&buf); err != nil {
			t.Fatalf("encoded snapshot does not decode: %v", err)
		}
	})
}
