// Package fuzzsnap builds snapshots from fuzz bytes for the fuzz targets
// of the checks, views and reports: the odd metadata real clusters (and
// hostile ones) produce, such as leader -1, empty or foreign ISRs, replica
// ids of unknown brokers, duplicate ids and negative offsets.
package fuzzsnap

import "github.com/kafka-runbook/kafka-runbook/diag/snapshot"

// bytesSource hands out fuzz bytes as small numbers, zero when exhausted.
type bytesSource struct{ b []byte }

func (s *bytesSource) next() int {
	if len(s.b) == 0 {
		return 0
	}
	v := int(s.b[0])
	s.b = s.b[1:]
	return v
}

// id returns a broker id in -2..7: leader -1, unknown brokers, duplicates.
func (s *bytesSource) id() int32 { return int32(s.next()%10) - 2 }

// FromBytes builds a snapshot from fuzz bytes with the metadata real
// clusters (and hostile ones) produce: leader -1, empty or foreign ISRs,
// replica ids of unknown brokers, duplicate ids, negative offsets.
func FromBytes(data []byte) (*snapshot.Snapshot, *snapshot.Snapshot) {
	src := &bytesSource{data}
	s := &snapshot.Snapshot{SchemaVersion: 1, ControllerID: src.id()}
	for i := src.next() % 5; i > 0; i-- {
		s.Brokers = append(s.Brokers, snapshot.Broker{
			ID: src.id(), Registered: src.next()%2 == 0, Fenced: src.next()%3 == 0, FencedKnown: src.next()%2 == 0,
			Probe: snapshot.Probe{Status: []string{"ok", "refused", "timeout", "not_probed", "tls_error"}[src.next()%5]},
		})
	}
	for ti := src.next() % 4; ti > 0; ti-- {
		t := snapshot.Topic{Name: string(rune('a' + src.next()%3)), ReplicationFactor: src.next()%5 - 1}
		if src.next()%2 == 0 {
			t.Configs = map[string]snapshot.ConfigValue{
				"min.insync.replicas":            {Value: []string{"2", "0", "-1", "x", "99"}[src.next()%5]},
				"unclean.leader.election.enable": {Value: []string{"true", "false", ""}[src.next()%3]},
			}
		}
		for pi := src.next() % 4; pi > 0; pi-- {
			p := snapshot.Partition{Topic: t.Name, ID: int32(src.next()%4) - 1, Leader: src.id(), LeaderEpoch: int32(src.next()) - 10,
				EarliestOffset: int64(src.next()) - 5, LatestOffset: int64(src.next()) - 5}
			for r := src.next() % 4; r > 0; r-- {
				p.Replicas = append(p.Replicas, src.id())
			}
			for r := src.next() % 4; r > 0; r-- {
				p.ISR = append(p.ISR, src.id())
			}
			t.Partitions = append(t.Partitions, p)
		}
		s.Topics = append(s.Topics, t)
	}
	for v := src.next() % 3; v > 0; v-- {
		view := snapshot.BrokerView{Broker: src.id(), Probe: snapshot.Probe{Status: "ok"}}
		for l := src.next() % 4; l > 0; l-- {
			view.Differences = append(view.Differences, snapshot.LeaderView{Topic: string(rune('a' + src.next()%3)), Partition: int32(src.next() % 3), Leader: src.id(), LeaderEpoch: int32(src.next()) - 10})
		}
		if src.next()%2 == 0 {
			view.Missing = append(view.Missing, snapshot.PartitionRef{Topic: string(rune('a' + src.next()%3)), Partition: int32(src.next() % 3)})
		}
		view.Partitions = int(src.next() % 8)
		s.BrokerViews = append(s.BrokerViews, view)
	}
	for g := src.next() % 3; g > 0; g-- {
		s.Groups = append(s.Groups, snapshot.Group{ID: "g", Offsets: []snapshot.GroupOffset{{Topic: "a", Partition: int32(src.next()%3) - 1, Committed: int64(src.next()) - 5}}})
	}
	s.LogDirs = append(s.LogDirs, snapshot.LogDir{Broker: src.id(), Error: []string{"", "KAFKA_STORAGE_ERROR"}[src.next()%2], TotalBytes: int64(src.next()) - 1, UsableBytes: int64(src.next()) - 1})
	var prev *snapshot.Snapshot
	if len(src.b) > 0 && src.next()%2 == 0 {
		prev, _ = FromBytes(src.b[:len(src.b)/2])
	}
	return s, prev
}
