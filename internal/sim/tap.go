package sim

import (
	"encoding/binary"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Request is one request a broker of the simulated cluster received, as a
// drill records what the team ran: which tool (client id and library),
// which API, which broker, when, and for requests that change the cluster
// what they asked.
type Request struct {
	At     time.Time `json:"at"`
	Broker int32     `json:"broker"`
	// Conn numbers the connection within the cluster's life.
	Conn uint64 `json:"conn"`
	// ClientID is the request header's client id ("kafka-runbook",
	// "rdkafka" for kcat, "adminclient-1" for Kafka's tools).
	ClientID string `json:"client_id"`
	// Software is the library and version the client named in its
	// ApiVersions request on this connection ("sarama 1.61.1",
	// "librdkafka 2.8.0", "apache-kafka-java 4.1.0"), "" when not sent.
	Software string `json:"software,omitempty"`
	Key      int16  `json:"api_key"`
	Version  int16  `json:"api_version"`
	// API is Kafka's name of the request, for example "Metadata".
	API string `json:"api"`
	// Detail tells similar requests apart where it matters to a drill:
	// "replica-id -2" (asking a follower for its log end),
	// "current-leader-epoch" (a fencing probe), "by-time" (a rewind).
	Detail string `json:"detail,omitempty"`
	// Change is set when the request changes the cluster.
	Change *Change `json:"change,omitempty"`
}

// Change describes a request that changes the cluster.
type Change struct {
	// Risk is "caution" or "dangerous", the labels runbooks use.
	Risk string `json:"risk"`
	// What says what was asked, for example "unclean leader election of
	// ledger/0".
	What string `json:"what"`
}

// tapper turns the bytes clients send into Requests for an observer. It
// sits in the broker's listener (gate), below kfake, so it sees every
// request whoever answers it, with the client id kfake's controls cannot
// see.
type tapper struct {
	observer atomic.Pointer[func(Request)]
	conns    atomic.Uint64
}

// Observe makes the cluster call fn with every request any broker receives
// from now on, in the broker's connection goroutine: fn must be quick and
// safe for concurrent use. A nil fn stops observing.
func (c *Cluster) Observe(fn func(Request)) {
	if fn == nil {
		c.tap.observer.Store(nil)
		return
	}
	c.tap.observer.Store(&fn)
}

// connTap follows the request stream of one connection.
type connTap struct {
	t        *tapper
	g        *gate
	id       uint64
	buf      []byte
	broken   bool
	software string
}

// maxFrame is larger than any request a drill sends; a larger length means
// the stream is not Kafka, and the tap gives up on the connection.
const maxFrame = 64 << 20

// feed takes the next bytes the client sent.
func (ct *connTap) feed(p []byte) {
	if ct.broken {
		return
	}
	ct.buf = append(ct.buf, p...)
	for len(ct.buf) >= 4 {
		size := int(binary.BigEndian.Uint32(ct.buf))
		if size < 8 || size > maxFrame {
			ct.broken, ct.buf = true, nil
			return
		}
		if len(ct.buf) < 4+size {
			return
		}
		ct.frame(ct.buf[4 : 4+size])
		ct.buf = append(ct.buf[:0], ct.buf[4+size:]...)
	}
}

// decoded are the requests whose bodies a drill needs; the rest are
// recorded from their header alone.
var decoded = map[int16]bool{
	int16(kmsg.ApiVersions): true, int16(kmsg.ListOffsets): true, int16(kmsg.OffsetCommit): true,
}

func (ct *connTap) frame(f []byte) {
	key, version := int16(binary.BigEndian.Uint16(f)), int16(binary.BigEndian.Uint16(f[2:]))
	rest := f[8:]
	clientID := ""
	if len(rest) < 2 {
		return
	}
	n := int(int16(binary.BigEndian.Uint16(rest)))
	rest = rest[2:]
	if n > 0 && n <= len(rest) {
		clientID, rest = string(rest[:n]), rest[n:]
	}
	obs := ct.t.observer.Load()
	req := kmsg.RequestForKey(key)
	if req == nil {
		if obs != nil {
			(*obs)(Request{At: time.Now(), Broker: ct.g.node.Load(), Conn: ct.id, ClientID: clientID, Key: key, Version: version, API: "Unknown"})
		}
		return
	}
	req.SetVersion(version)
	body, ok := skipTags(rest, req.IsFlexible())
	parsed := ok && (decoded[key] || changeKeys[key]) && req.ReadFrom(body) == nil
	if av, isAV := req.(*kmsg.ApiVersionsRequest); isAV && parsed && av.ClientSoftwareName != "" {
		ct.software = av.ClientSoftwareName + " " + av.ClientSoftwareVersion
	}
	if obs == nil {
		return
	}
	r := Request{
		At: time.Now(), Broker: ct.g.node.Load(), Conn: ct.id, ClientID: clientID, Software: ct.software,
		Key: key, Version: version, API: kmsg.NameForKey(key),
	}
	if parsed {
		r.Detail = detail(req)
		r.Change = change(req)
	}
	(*obs)(r)
}

// skipTags skips the tagged fields of a flexible request header.
func skipTags(b []byte, flexible bool) ([]byte, bool) {
	if !flexible {
		return b, true
	}
	count, n := binary.Uvarint(b)
	if n <= 0 {
		return nil, false
	}
	b = b[n:]
	for range count {
		if _, n = binary.Uvarint(b); n <= 0 {
			return nil, false
		}
		b = b[n:]
		size, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < size {
			return nil, false
		}
		b = b[n+int(size):]
	}
	return b, true
}

// detail notes what tells a ListOffsets apart: which runbook step, or
// which tool, sends it.
func detail(req kmsg.Request) string {
	lo, ok := req.(*kmsg.ListOffsetsRequest)
	if !ok {
		return ""
	}
	if lo.ReplicaID == -2 {
		return "replica-id -2"
	}
	for _, t := range lo.Topics {
		for _, p := range t.Partitions {
			switch {
			case p.CurrentLeaderEpoch >= 0:
				return "current-leader-epoch"
			case p.Timestamp >= 0:
				return "by-time"
			}
		}
	}
	return ""
}
