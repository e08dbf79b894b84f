package views

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// kraftSnapshot is the healthy fixture as a KRaft cluster reports it:
// Metadata still names a controller id (a random live broker), the
// collector labels no broker controller, and the quorum is as given.
func kraftSnapshot(t *testing.T, q *snapshot.Quorum) *snapshot.Snapshot {
	s := load(t, "healthy")
	s.MetadataMode, s.Quorum = snapshot.MetadataKRaft, q
	for i := range s.Brokers {
		s.Brokers[i].IsController = false
	}
	return s
}

// TestBrokersOnKRaft: on KRaft no broker is marked controller because
// Metadata named it; the title names the quorum leader when known, and a
// broker is marked only when it is that leader (combined mode).
func TestBrokersOnKRaft(t *testing.T) {
	for _, tc := range []struct {
		name       string
		quorum     *snapshot.Quorum
		title      string
		controller int32 // the broker marked, -1 none
	}{
		{"quorum not read", nil, "Brokers (3), cluster q7Zx1b0fT4mK2pLw9aR3cA", -1},
		{"dedicated controller leads", &snapshot.Quorum{LeaderID: 9}, "Brokers (3), cluster q7Zx1b0fT4mK2pLw9aR3cA, quorum leader 9", -1},
		{"combined node 2 leads", &snapshot.Quorum{LeaderID: 2}, "Brokers (3), cluster q7Zx1b0fT4mK2pLw9aR3cA, quorum leader 2", 2},
		{"no leader", &snapshot.Quorum{LeaderID: -1}, "Brokers (3), cluster q7Zx1b0fT4mK2pLw9aR3cA, quorum without leader", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Brokers(kraftSnapshot(t, tc.quorum), Filter{})
			if got := v.Tables()[0].Title; got != tc.title {
				t.Errorf("title %q, want %q", got, tc.title)
			}
			for _, b := range v.Brokers {
				if b.Controller != (b.ID == tc.controller) {
					t.Errorf("broker %d controller %v, want %v", b.ID, b.Controller, b.ID == tc.controller)
				}
			}
		})
	}
}

// TestBrokersOnZooKeeper: the controller is the broker the collector
// labelled, and the title names it; the fenced column says it does not
// apply instead of "?" (brokers-zookeeper.txt).
func TestBrokersOnZooKeeper(t *testing.T) {
	s := load(t, "healthy")
	s.MetadataMode, s.Quorum = snapshot.MetadataZooKeeper, nil
	for i := range s.Brokers {
		s.Brokers[i].IsController = s.Brokers[i].ID == s.ControllerID // as the collector labels it on ZooKeeper
	}
	v := Brokers(s, Filter{})
	if !strings.HasSuffix(v.Tables()[0].Title, ", controller 1") {
		t.Errorf("title %q, want the controller named", v.Tables()[0].Title)
	}
	for _, b := range v.Brokers {
		if b.Controller != (b.ID == 1) {
			t.Errorf("broker %d controller %v", b.ID, b.Controller)
		}
	}
	if !v.ZooKeeper || v.KRaft {
		t.Errorf("view zookeeper %v kraft %v, want a ZooKeeper cluster", v.ZooKeeper, v.KRaft)
	}
	var b bytes.Buffer
	if err := render.View(&b, render.Options{Format: render.FormatTable}, v); err != nil {
		t.Fatal(err)
	}
	golden(t, "brokers-zookeeper.txt", b.Bytes())
}

// TestBrokersKRaftGolden pins the KRaft form in text and JSON.
func TestBrokersKRaftGolden(t *testing.T) {
	v := Brokers(kraftSnapshot(t, &snapshot.Quorum{LeaderID: 9}), Filter{})
	for format, ext := range map[render.Format]string{render.FormatTable: "txt", render.FormatJSON: "json"} {
		var b bytes.Buffer
		if err := render.View(&b, render.Options{Format: format}, v); err != nil {
			t.Fatal(err)
		}
		golden(t, "brokers-kraft."+ext, b.Bytes())
	}
}
