package views

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// BrokersView is `describe brokers`: every broker id the snapshot knows of,
// including ids only seen in replica lists, which is how a dead broker
// shows up.
type BrokersView struct {
	ClusterID string `json:"cluster_id"`
	// ControllerID is the controller the metadata named, -1 if unknown. On
	// KRaft that is a random live broker, not a controller: see QuorumLeader.
	ControllerID int32 `json:"controller_id"`
	// KRaft is true when the brokers offer DescribeQuorum (snapshot.MetadataKRaft).
	KRaft bool `json:"kraft,omitempty"`
	// ZooKeeper is true when none does (snapshot.MetadataZooKeeper): the controller is the
	// broker Metadata names, and brokers have no fenced state (Fenced stays null).
	ZooKeeper bool `json:"zookeeper,omitempty"`
	// QuorumLeader is the active controller of a KRaft cluster
	// (DescribeQuorum), -1 when the quorum has no leader; absent when not
	// known.
	QuorumLeader *int32      `json:"quorum_leader,omitempty"`
	Brokers      []BrokerRow `json:"brokers"`
	// Bootstrap is every seed address and how it answered.
	Bootstrap []EndpointRow `json:"bootstrap"`
	Warnings  []Warning     `json:"warnings"`
}

// BrokerRow is one broker id.
type BrokerRow struct {
	ID      int32  `json:"id"`
	Address string `json:"address"`
	Rack    string `json:"rack"`
	// Registered is false for ids known only from replica lists or seeds.
	Registered bool `json:"registered"`
	// Fenced is null when no broker answered DescribeCluster v2.
	Fenced *bool `json:"fenced"`
	// Live is Registered and not fenced: what leadership needs.
	Live       bool `json:"live"`
	Controller bool `json:"controller"`
	// Probe is how the broker answered us directly (snapshot.Status*).
	Probe string `json:"probe"`
	// LatencyMS is the probe's round trip, -1 when the broker did not
	// answer (not probed, refused, timed out, TLS or network failure).
	LatencyMS int64  `json:"latency_ms"`
	Error     string `json:"error"`
	// Leaders, Replicas, NotInISR and OfflineReplicas count partitions
	// that this broker leads, is assigned, is assigned but out of the ISR
	// of, and is reported offline for.
	Leaders         int      `json:"leaders"`
	Replicas        int      `json:"replicas"`
	NotInISR        int      `json:"not_in_isr"`
	OfflineReplicas int      `json:"offline_replicas"`
	LearnedFrom     []string `json:"learned_from"`
}

// EndpointRow is one bootstrap address.
type EndpointRow struct {
	Address   string `json:"address"`
	Probe     string `json:"probe"`
	LatencyMS int64  `json:"latency_ms"`
	Error     string `json:"error"`
}

// Brokers builds the brokers view. The filter does not apply: during an
// incident every broker matters.
func Brokers(s *snapshot.Snapshot, _ Filter) BrokersView {
	c := newCluster(s)
	v := BrokersView{ClusterID: s.ClusterID, ControllerID: s.ControllerID, Brokers: []BrokerRow{}, Bootstrap: []EndpointRow{}}
	v.KRaft = s.MetadataMode == snapshot.MetadataKRaft
	v.ZooKeeper = s.MetadataMode == snapshot.MetadataZooKeeper
	if s.Quorum != nil {
		v.QuorumLeader = ptr(s.Quorum.LeaderID)
	}
	rows := map[int32]*BrokerRow{}
	for _, b := range s.Brokers {
		rows[b.ID] = c.brokerRow(b)
	}
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			countReplicas(rows, p)
		}
	}
	for _, r := range rows {
		v.Brokers = append(v.Brokers, *r)
	}
	slices.SortFunc(v.Brokers, func(a, b BrokerRow) int { return cmp.Compare(a.ID, b.ID) })
	for _, e := range s.Bootstrap {
		v.Bootstrap = append(v.Bootstrap, EndpointRow{Address: e.Address, Probe: e.Probe.Status, LatencyMS: latency(e.Probe), Error: e.Probe.Error})
	}
	// broker_view errors explain why a broker has no probe result.
	v.Warnings = sortWarnings(warningsFrom(s, Filter{}, snapshot.SourceMetadata, snapshot.SourceDescribeCluster, snapshot.SourceBrokerView))
	return v
}

func (c *cluster) brokerRow(b snapshot.Broker) *BrokerRow {
	r := &BrokerRow{
		ID: b.ID, Address: b.Address(), Rack: b.Rack, Registered: b.Registered, Live: c.isLive(b.ID),
		Controller: c.isController(b),
		Probe:      b.Probe.Status, LatencyMS: latency(b.Probe), Error: b.Probe.Error,
		LearnedFrom: nonNil(slices.Clone(b.LearnedFrom)),
	}
	if b.FencedKnown {
		r.Fenced = ptr(b.Fenced)
	}
	return r
}

// isController says whether a broker is the active controller. On KRaft
// only the quorum leader is, which a broker is only when it also runs as a
// controller (combined mode); Metadata's controller id is a random live
// broker there. Snapshots that do not know the mode (recorded before it was
// collected) keep the metadata's word.
func (c *cluster) isController(b snapshot.Broker) bool {
	s := c.snap
	if s.MetadataMode == snapshot.MetadataKRaft {
		return s.Quorum != nil && s.Quorum.LeaderID >= 0 && b.ID == s.Quorum.LeaderID
	}
	return b.IsController || (s.MetadataMode == "" && s.ControllerID >= 0 && b.ID == s.ControllerID)
}

// countReplicas adds partition p to the counts of its replicas. An id that
// appears only here gets a row of its own: the snapshot lists such ids, but
// a hand-edited or older document might not, and this is the one broker
// the reader must not miss.
func countReplicas(rows map[int32]*BrokerRow, p snapshot.Partition) {
	row := func(id int32) *BrokerRow {
		if r, ok := rows[id]; ok {
			return r
		}
		r := &BrokerRow{ID: id, Probe: snapshot.StatusNotProbed, LatencyMS: -1, LearnedFrom: []string{"replicas"}}
		rows[id] = r
		return r
	}
	if p.Leader >= 0 {
		row(p.Leader).Leaders++
	}
	for _, id := range p.Replicas {
		r := row(id)
		r.Replicas++
		if !slices.Contains(p.ISR, id) {
			r.NotInISR++
		}
	}
	for _, id := range p.OfflineReplicas {
		row(id).OfflineReplicas++
	}
}

// latency is the probe's round trip, or -1 when the broker did not answer:
// the time until a refusal or a deadline is no latency, and "0ms" beside
// "refused" read as a fast, healthy broker.
func latency(p snapshot.Probe) int64 {
	switch p.Status {
	case snapshot.StatusOK, snapshot.StatusUnsupported, snapshot.StatusDenied, snapshot.StatusAuthError:
		return p.LatencyMS // it answered, if only to refuse the request
	}
	return -1
}

// Tables returns the broker table, and the bootstrap table when a seed
// address did not answer.
func (v BrokersView) Tables() []render.Table {
	t := render.Table{
		Title: v.title(),
		Columns: []render.Column{
			// Drop: on a narrow terminal what a broker is (rack,
			// registration, role) goes before how it answers; the id never.
			{Name: "ID", Align: render.AlignRight}, {Name: "Address", Drop: 1}, {Name: "Rack", Drop: 7},
			{Name: "Registered", Drop: 9}, {Name: "Fenced", Drop: 2}, {Name: "Controller", Drop: 8}, {Name: "Probe", Status: true},
			{Name: "Latency", Align: render.AlignRight, Drop: 6}, {Name: "Leaders", Align: render.AlignRight, Drop: 3},
			{Name: "Replicas", Align: render.AlignRight, Drop: 5}, {Name: "Not in ISR", Align: render.AlignRight, Drop: 4},
			{Name: "Error", Wrap: true},
		},
		Rows:     [][]string{},
		Empty:    "no brokers known",
		Warnings: warningLines(v.Warnings),
	}
	fencedKnown := false
	for _, b := range v.Brokers {
		t.Rows = append(t.Rows, []string{
			itoa(int(b.ID)), b.Address, b.Rack, words.YesNo(b.Registered), b.fencedCell(v.ZooKeeper), mark(b.Controller),
			b.Probe, millis(b.LatencyMS), itoa(b.Leaders), itoa(b.Replicas), itoa(b.NotInISR), b.Error,
		})
		fencedKnown = fencedKnown || b.Fenced != nil
		t.Notes = append(t.Notes, b.notes()...)
	}
	switch {
	case v.ZooKeeper && len(v.Brokers) > 0:
		t.Notes = append(t.Notes, "fenced: not applicable, ZooKeeper cluster: a broker there is registered or not; only KRaft controllers fence brokers")
	case !fencedKnown && len(v.Brokers) > 0:
		t.Notes = append(t.Notes, "fenced state unknown (?): no broker answered DescribeCluster v2 (Kafka 4.0+)")
	}
	tables := []render.Table{t}
	if b, ok := v.bootstrapTable(); ok {
		tables = append(tables, b)
	}
	return tables
}

func (v BrokersView) title() string {
	s := fmt.Sprintf("Brokers (%d)", len(v.Brokers))
	if v.ClusterID != "" {
		s += ", cluster " + v.ClusterID
	}
	switch {
	case v.KRaft && v.QuorumLeader == nil:
		// The controller id names a random broker: say nothing.
	case v.QuorumLeader != nil && *v.QuorumLeader < 0:
		s += ", quorum without leader"
	case v.QuorumLeader != nil:
		s += fmt.Sprintf(", quorum leader %d", *v.QuorumLeader)
	case v.ControllerID >= 0:
		s += fmt.Sprintf(", controller %d", v.ControllerID)
	}
	return s
}

// fencedNotApplicable is the Fenced cell on a ZooKeeper cluster.
const fencedNotApplicable = "n/a (ZooKeeper)"

// fencedCell is "?" when unknown and empty for unregistered ids:
// DescribeCluster lists fenced brokers, so an id it does not list is gone
// or never existed, which "no" would misrepresent. On ZooKeeper there is
// no such state to know, which "?" would misrepresent too.
func (b BrokerRow) fencedCell(zooKeeper bool) string {
	switch {
	case zooKeeper:
		return fencedNotApplicable
	case !b.Registered && b.Fenced != nil:
		return ""
	}
	return maybe(b.Fenced)
}

// notes explains the states that decide a runbook, in words.
func (b BrokerRow) notes() []string {
	switch {
	case !b.Registered && b.Replicas > 0:
		return []string{fmt.Sprintf("broker %d holds %d replicas but is not registered: it is down, or was removed without reassigning its partitions", b.ID, b.Replicas)}
	case b.Fenced != nil && *b.Fenced:
		return []string{fmt.Sprintf("broker %d is fenced: registered but not heartbeating to the controller", b.ID)}
	}
	return nil
}

// bootstrapTable lists the seed addresses, but only when one of them did
// not answer: a healthy seed list is noise.
func (v BrokersView) bootstrapTable() (render.Table, bool) {
	failed := slices.ContainsFunc(v.Bootstrap, func(e EndpointRow) bool { return e.Probe != snapshot.StatusOK })
	if !failed {
		return render.Table{}, false
	}
	t := render.Table{
		Title: "Bootstrap addresses",
		Columns: []render.Column{
			{Name: "Address"}, {Name: "Probe", Status: true}, {Name: "Latency", Align: render.AlignRight, Drop: 1}, {Name: "Error", Wrap: true},
		},
		Rows: [][]string{},
	}
	for _, e := range v.Bootstrap {
		t.Rows = append(t.Rows, []string{e.Address, e.Probe, millis(e.LatencyMS), e.Error})
	}
	return t, true
}

// mark is a marker column: "yes" or an empty cell, so the one controller
// stands out among the rows.
func mark(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// millis renders a latency, empty when unknown.
func millis(ms int64) string {
	if ms < 0 {
		return "-"
	}
	return render.Millis(ms)
}
