package collect

import (
	"testing"

	"github.com/IBM/sarama"
)

// TestSelfIn: a seed the cluster no longer lists is known by the broker its own Metadata lists
// at the address it was asked at; a seed that lists nobody there (a load balancer, an alias)
// stays unknown.
func TestSelfIn(t *testing.T) {
	md := &sarama.MetadataResponse{}
	md.AddBroker("10.0.0.1:9092", 1)
	md.AddBroker("10.0.0.3:9092", 3)
	for _, tc := range []struct {
		addr string
		id   int32
		ok   bool
	}{
		{"10.0.0.3:9092", 3, true},
		{"10.0.0.1:9092", 1, true},
		{"kafka.example.com:9092", -1, false},
	} {
		if id, ok := selfIn(md, tc.addr); id != tc.id || ok != tc.ok {
			t.Errorf("selfIn(%s) = %d, %v; want %d, %v", tc.addr, id, ok, tc.id, tc.ok)
		}
	}
}
