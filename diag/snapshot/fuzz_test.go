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
		`{"schema_version":1,"taken_at":"not a time"}`, `{"schema_version":"1"}`, `{"schema_version":3}`,
		`{"schema_version":1,"topics":[{"name":"t","partitions":[{"partition":7,"leader":1,"leader_epoch":2},{"partition":7},{"partition":-1}]},{"name":"t"}],
		  "broker_views":[{"broker":1,"probe":{"status":"ok"},"leaders":[{"topic":"t","partition":7,"leader":2,"leader_epoch":1},{"topic":"u","partition":-3}]},{"broker":2,"leaders":null}]}`,
		`{"schema_version":2,"topics":[{"name":"t","partitions":[{"partition":0,"leader":1,"leader_epoch":2}]}],
		  "broker_views":[{"broker":1,"probe":{"status":"ok"},"partitions":1,"differences":[{"topic":"t","partition":0,"leader":3},{"topic":"t","partition":0}],"missing":[{"topic":"t","partition":0},{"topic":"x","partition":9}]}]}`,
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
		for i := range s.BrokerViews {
			for range s.ViewLeaders(&s.BrokerViews[i]) {
			}
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
