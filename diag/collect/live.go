package collect

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// RequestTimeout is the bound on one request within a command that must
// answer within total: a third of it, so that a hung broker costs one
// request's wait and the brokers that answer still fit in the deadline,
// but at least 500 ms (a loaded broker needs some time) and at most 5 s.
func RequestTimeout(total time.Duration) time.Duration {
	return min(max(total/3, 500*time.Millisecond), 5*time.Second)
}

// Live is the live cluster behind the source ports: every Snapshot is a
// fresh collection within Timeout, and the per-broker probes go to the
// brokers of the latest snapshot. It is built once per command from
// settings loaded once.
type Live struct {
	opts    Options
	timeout time.Duration
	kgoOpts []kgo.Opt

	mu   sync.Mutex
	last *snapshot.Snapshot
}

// The ports Live serves.
var (
	_ source.Cluster       = (*Live)(nil)
	_ source.ReplicaProber = (*Live)(nil)
	_ source.EpochChecker  = (*Live)(nil)
)

// NewLive prepares a live source. opts carry the connection (Parts and
// Groups are set per call); timeout bounds each snapshot and each probe
// round as a whole; kgoOpts carry TLS and SASL for the requests that go
// through franz-go (leader epochs, and the quorum and ELR when opts.Kgo is
// not set).
func NewLive(opts Options, timeout time.Duration, kgoOpts []kgo.Opt) *Live {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = RequestTimeout(timeout)
	}
	if opts.Kgo == nil {
		opts.Kgo = kgoOpts // the collector's own franz-go requests connect alike
	}
	return &Live{opts: opts, timeout: timeout, kgoOpts: kgoOpts}
}

// Bootstrap is the seed addresses the source connects to.
func (l *Live) Bootstrap() []string { return l.opts.Bootstrap }

// Options is a copy of the collector options, for callers that collect on
// their own schedule (evidence watch).
func (l *Live) Options() Options { return l.opts }

// Snapshot collects the given parts within the source's timeout. It
// returns a *NoClusterError when no bootstrap address answered.
func (l *Live) Snapshot(ctx context.Context, parts source.Parts) (*snapshot.Snapshot, error) {
	return l.Collect(ctx, parts, nil)
}

// Collect is Snapshot restricted to the given consumer groups (all when
// empty).
func (l *Live) Collect(ctx context.Context, parts source.Parts, groups []string) (*snapshot.Snapshot, error) {
	opts := l.opts
	opts.Parts, opts.Groups = parts, groups
	ctx, cancel := l.deadline(ctx)
	defer cancel()
	snap, err := Collect(ctx, opts)
	if err == nil {
		l.mu.Lock()
		l.last = snap
		l.mu.Unlock()
	}
	return snap, err
}

// brokers are the brokers of the latest snapshot, which the probes ask.
func (l *Live) brokers() ([]snapshot.Broker, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		return nil, errors.New("no snapshot taken yet")
	}
	return l.last.Brokers, nil
}

// ReplicaLogEnds asks replicas directly for their own log end offsets.
func (l *Live) ReplicaLogEnds(ctx context.Context, replicas map[int32][]source.TopicPartition) (map[int32]map[source.TopicPartition]int64, error) {
	return l.probe(ctx, func(ctx context.Context, p *Prober) (map[int32]map[source.TopicPartition]int64, error) {
		return p.ReplicaLogEnds(ctx, replicas)
	})
}

// OffsetsForTime asks leaders for the offsets at a point in time.
func (l *Live) OffsetsForTime(ctx context.Context, leaders map[int32][]source.TopicPartition, ts int64) (map[int32]map[source.TopicPartition]int64, error) {
	return l.probe(ctx, func(ctx context.Context, p *Prober) (map[int32]map[source.TopicPartition]int64, error) {
		return p.OffsetsForTime(ctx, leaders, ts)
	})
}

func (l *Live) probe(ctx context.Context, ask func(context.Context, *Prober) (map[int32]map[source.TopicPartition]int64, error)) (map[int32]map[source.TopicPartition]int64, error) {
	brokers, err := l.brokers()
	if err != nil {
		return nil, err
	}
	p := NewProber(l.opts, brokers)
	defer p.Close()
	ctx, cancel := l.deadline(ctx)
	defer cancel()
	return ask(ctx, p)
}

// epochProber connects franz-go clients to the brokers of the latest
// snapshot, for the leader-epoch requests sarama lacks.
func (l *Live) epochProber() (*EpochProber, error) {
	brokers, err := l.brokers()
	if err != nil {
		return nil, err
	}
	addrs := map[int32]string{}
	for _, b := range brokers {
		if a := b.Address(); a != "" {
			addrs[b.ID] = a
		}
	}
	return NewEpochProber(addrs, l.opts.RequestTimeout, l.kgoOpts...), nil
}

// CheckLeaderEpoch asks one broker whether it leads at the given epoch.
func (l *Live) CheckLeaderEpoch(ctx context.Context, broker int32, topic string, partition, epoch int32) (source.EpochCheck, error) {
	p, err := l.epochProber()
	if err != nil {
		return source.EpochCheck{}, err
	}
	defer p.Close()
	return p.CheckLeaderEpoch(withCommandTimeout(ctx, l.timeout), broker, topic, partition, epoch)
}

// EpochEnd asks one broker where a leader epoch ended in its log.
func (l *Live) EpochEnd(ctx context.Context, broker int32, topic string, partition, epoch int32) (int64, error) {
	p, err := l.epochProber()
	if err != nil {
		return -1, err
	}
	defer p.Close()
	return p.EpochEnd(withCommandTimeout(ctx, l.timeout), broker, topic, partition, epoch)
}

// deadline bounds one collection by the command's --timeout, and lets a
// request that gets no answer say what that timeout was.
func (l *Live) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(withCommandTimeout(ctx, l.timeout), l.timeout)
}
