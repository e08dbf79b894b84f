package views

import (
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Partition status values, from worst to best (diag/health defines them).
const (
	StatusOffline         = health.StatusOffline
	StatusUnderMinISR     = health.StatusUnderMinISR
	StatusAtMinISR        = health.StatusAtMinISR
	StatusUnderReplicated = health.StatusUnderReplicated
	StatusOK              = health.StatusOK
)

// Health is the replication state of one partition, as the filters and the
// status column see it: the one definition in diag/health.
type Health = health.Partition

// cluster holds facts several views derive from the snapshot, computed
// once: which brokers are live and which replicas are being added.
type cluster struct {
	snap *snapshot.Snapshot
	*health.Cluster
}

func newCluster(s *snapshot.Snapshot) *cluster {
	return &cluster{snap: s, Cluster: health.Of(s)}
}

// isLive reports whether broker id is registered and not fenced.
func (c *cluster) isLive(id int32) bool { return c.IsLive(id) }

// health computes the state of partition p of topic t.
func (c *cluster) health(t snapshot.Topic, p snapshot.Partition) Health { return c.Partition(t, p) }

func ptr[T any](v T) *T { return &v }
