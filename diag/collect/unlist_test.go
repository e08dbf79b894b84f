package collect

import (
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

func TestUnlistByTheOthers(t *testing.T) {
	answered := snapshot.Probe{Status: snapshot.StatusOK}
	view := func(id int32, lists ...int32) snapshot.BrokerView {
		return snapshot.BrokerView{Broker: id, Probe: answered, Brokers: lists}
	}
	tests := []struct {
		name     string
		brokers  []snapshot.Broker
		views    []snapshot.BrokerView
		unlisted []int32
	}{
		{name: "the zombie answered the cluster metadata: the other two do not list it",
			views:    []snapshot.BrokerView{view(1, 1, 2), view(2, 1, 2), view(3, 1, 2, 3)},
			unlisted: []int32{3}},
		{name: "everyone lists everyone",
			views: []snapshot.BrokerView{view(1, 1, 2, 3), view(2, 1, 2, 3), view(3, 1, 2, 3)}},
		{name: "one other omits it, one lists it: not a majority",
			views: []snapshot.BrokerView{view(1, 1, 2), view(2, 1, 2, 3), view(3, 1, 2, 3)}},
		{name: "a single other view is not enough to overrule the cluster",
			brokers: []snapshot.Broker{{ID: 1, Registered: true}, {ID: 3, Registered: true}},
			views:   []snapshot.BrokerView{view(1, 1), view(3, 1, 3)}},
		{name: "views that did not answer do not vote",
			views: []snapshot.BrokerView{view(1, 1, 2), {Broker: 2, Probe: snapshot.Probe{Status: snapshot.StatusTimeout}}, view(3, 1, 2, 3)}},
		{name: "a broker the cluster reports fenced keeps that judgement",
			brokers: []snapshot.Broker{{ID: 1, Registered: true}, {ID: 2, Registered: true}, {ID: 3, Registered: true, FencedKnown: true, Fenced: true}},
			views:   []snapshot.BrokerView{view(1, 1, 2), view(2, 1, 2), view(3, 1, 2, 3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			brokers := tt.brokers
			if brokers == nil {
				brokers = []snapshot.Broker{{ID: 1, Registered: true}, {ID: 2, Registered: true}, {ID: 3, Registered: true}}
			}
			c := &collector{snap: &snapshot.Snapshot{Brokers: brokers, BrokerViews: tt.views}}
			c.unlistByTheOthers()
			var got []int32
			for _, b := range c.snap.Brokers {
				if !b.Registered {
					got = append(got, b.ID)
				}
			}
			if len(got) != len(tt.unlisted) || (len(got) > 0 && got[0] != tt.unlisted[0]) {
				t.Errorf("unlisted %v, want %v", got, tt.unlisted)
			}
		})
	}
}
