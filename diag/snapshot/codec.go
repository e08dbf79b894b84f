package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
)

// MaxDocumentBytes bounds how much Decode reads, so a corrupt or hostile file
// cannot exhaust memory. 512 MiB holds a snapshot of several hundred thousand
// partitions.
const MaxDocumentBytes = 512 << 20

// Decode reads one snapshot document and checks that this version of the
// tool can understand it.
func Decode(r io.Reader) (*Snapshot, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading snapshot: %w", err)
	}
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("snapshot is larger than %d bytes", MaxDocumentBytes)
	}
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("snapshot is not valid JSON: %w", err)
	}
	switch {
	case probe.SchemaVersion == nil:
		return nil, errors.New("snapshot has no schema_version: not a kafka-runbook snapshot")
	case *probe.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("snapshot schema_version %d is newer than this tool understands (%d): upgrade kafka-runbook", *probe.SchemaVersion, SchemaVersion)
	case *probe.SchemaVersion < 1:
		return nil, fmt.Errorf("snapshot schema_version %d is invalid", *probe.SchemaVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("snapshot does not match schema version %d: %w", *probe.SchemaVersion, err)
	}
	if *probe.SchemaVersion == 1 {
		if err := upgradeV1Views(data, &s); err != nil {
			return nil, err
		}
	}
	s.Normalize()
	return &s, nil
}

// upgradeV1Views reads the whole per-partition broker views of a version 1
// document and keeps their differences, as version 2 stores them.
func upgradeV1Views(data []byte, s *Snapshot) error {
	var v1 struct {
		BrokerViews []struct {
			Leaders []LeaderView `json:"leaders"`
		} `json:"broker_views"`
	}
	if err := json.Unmarshal(data, &v1); err != nil {
		return fmt.Errorf("snapshot does not match schema version 1: %w", err)
	}
	r := NewViewReducer(s.Topics)
	for i := range s.BrokerViews {
		if i < len(v1.BrokerViews) && s.BrokerViews[i].Probe.Answered() {
			r.Reduce(&s.BrokerViews[i], v1.BrokerViews[i].Leaders)
		}
	}
	s.SchemaVersion = SchemaVersion
	return nil
}

// Encode writes the snapshot as indented JSON, sorted so that two encodings
// of the same state are byte-identical.
func Encode(w io.Writer, s *Snapshot) error {
	s.Normalize()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

func joinHostPort(host string, port int32) string {
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}
