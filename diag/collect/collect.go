// Package collect takes one live snapshot of a Kafka cluster.
//
// It talks to brokers directly with sarama's Broker type rather than
// sarama.Client: the client retries, refreshes metadata in the background and
// hides which broker failed, all of which an outage tool must control.
// Every request runs under its own deadline inside the caller's context;
// whatever cannot be collected is recorded in Snapshot.Errors and the rest is
// kept.
package collect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/hashicorp/go-multierror"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// Options says where and how to collect.
type Options struct {
	// Bootstrap is the list of seed addresses, host:port.
	Bootstrap []string
	// BootstrapControllers are KRaft controller addresses, host:port, as
	// Kafka's --bootstrap-controller (KIP-919) takes them. When given,
	// DescribeQuorum goes to them directly, in order, instead of through a
	// broker; and when no broker answers but a controller does, Collect
	// still returns the quorum.
	BootstrapControllers []string
	// Config carries security and client settings. Its timeouts are
	// tightened to fit RequestTimeout.
	Config *sarama.Config
	// Kgo carries the same TLS, SASL and client id for the requests sarama
	// lacks, which go through franz-go (clientconfig.Settings.KgoOptions).
	Kgo []kgo.Opt
	// RequestTimeout bounds every single request, including connecting.
	// The overall bound is the deadline of the context passed to Collect.
	RequestTimeout time.Duration
	// Parts selects the optional parts; zero means brokers and topics only.
	Parts source.Parts
	// ConnectionsPerBroker bounds the connections opened to one broker
	// (0 means DefaultConnectionsPerBroker); more are opened only while the
	// open ones are all busy.
	ConnectionsPerBroker int
	// Groups restricts group collection to these ids; empty means all.
	Groups []string
	// TimeLagReads bounds how many records at committed offsets are read
	// for source.PartTimeLag, those with the most lag first (0 or less
	// means DefaultTimeLagReads). What is left out is recorded as an
	// error of source time_lag.
	TimeLagReads int
	// Now stamps the snapshot; nil means time.Now.
	Now func() time.Time
	// SoftwareVersion is the version kafka-runbook announces to brokers as
	// its ClientSoftwareVersion (ApiVersions v3, KIP-511), so broker
	// metrics and a drill's report name the build that asked; characters
	// Kafka refuses there become '-', and empty means "unknown".
	SoftwareVersion string
}

// NoClusterError is returned when no bootstrap address answered, nor any
// bootstrap controller, so there is nothing to show. It carries the
// per-address probes.
type NoClusterError struct {
	Endpoints []snapshot.Endpoint
	// Controllers are the bootstrap controllers' probes, when any were given.
	Controllers []snapshot.Endpoint
}

func (e *NoClusterError) Error() string {
	msg := "no bootstrap server answered: " + endpointList(e.Endpoints)
	if len(e.Controllers) > 0 {
		msg += "; no bootstrap controller answered: " + endpointList(e.Controllers)
	}
	return msg
}

// endpointList names each address with how it failed; addresses that failed
// alike share one entry ("a, b status (error)"), so a refused login is said
// once, not once per broker.
func endpointList(eps []snapshot.Endpoint) string {
	var order []string
	addrs := map[string][]string{}
	for _, ep := range eps {
		how := fmt.Sprintf("%s (%s)", ep.Probe.Status, ep.Probe.Error)
		if _, seen := addrs[how]; !seen {
			order = append(order, how)
		}
		addrs[how] = append(addrs[how], ep.Address)
	}
	parts := make([]string, 0, len(order))
	for _, how := range order {
		parts = append(parts, strings.Join(addrs[how], ", ")+" "+how)
	}
	return strings.Join(parts, "; ")
}

// collector holds the state of one collection run.
type collector struct {
	opts  Options
	pool  *pool
	kc    *kclients // franz-go clients for the requests sarama lacks
	snap  *snapshot.Snapshot
	mu    sync.Mutex // guards snap while parts are filled in concurrently
	errs  *multierror.Error
	errMu sync.Mutex

	// seedView is the cluster metadata as the seed broker answered it, with
	// how long it took, kept until the broker views are taken so that the
	// seed is asked for Metadata once, not twice.
	seedView    *sarama.MetadataResponse
	seedConn    *conn
	seedLatency time.Duration
	disk        diskTopics        // topics on the brokers' disks, to name those Metadata hides
	topicNames  map[string]string // topic names by id, for assignments named by id
	// lagInputs counts the tasks lag is computed from (the offsets and
	// each coordinator's groups) until they end.
	lagInputs sync.WaitGroup
}

// Collect takes a snapshot. It returns a *NoClusterError when no bootstrap
// address answered (nor any bootstrap controller); every other failure is
// recorded in the snapshot's Errors and the rest of the snapshot is
// returned.
func Collect(ctx context.Context, opts Options) (*snapshot.Snapshot, error) {
	if len(opts.Bootstrap) == 0 && len(opts.BootstrapControllers) == 0 {
		return nil, errors.New("no bootstrap servers given")
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 3 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Parts = implied(opts.Parts)
	cfg := tightened(opts.Config, opts.RequestTimeout)
	start := time.Now()
	c := &collector{
		opts: opts,
		pool: newPool(cfg, opts.RequestTimeout, opts.ConnectionsPerBroker).announcing(opts.SoftwareVersion),
		kc:   newKclients(opts.Kgo, opts.RequestTimeout),
		snap: &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, TakenAt: opts.Now().UTC(), ControllerID: -1},
	}
	defer c.pool.closeAll()
	defer c.kc.closeAll()

	seed, err := c.bootstrap(ctx)
	if err != nil {
		if !c.controllersOnly(ctx, err) {
			return nil, err
		}
	} else {
		c.metadata(ctx, seed)
		c.probeBrokers(ctx)
		c.applyMode()
		c.details(ctx)
		c.unlistByTheOthers()
	}
	c.finish()
	c.snap.DurationMillis = time.Since(start).Milliseconds()
	c.snap.Normalize()
	return c.snap, nil
}

// unlistByTheOthers corrects a cluster metadata answered by a broker the rest of the cluster
// no longer lists. The seed is whichever bootstrap address answers first; when that is a
// broker cut off the controller (a zombie), its stale answer still lists itself, and where
// brokers cannot report fencing (before Kafka 4.0, ZooKeeper) or report it from the same
// stale view, it would pass as up. When most of the other brokers that answered list it in
// their own views, the cluster does know it; when most do not, it is not registered, which
// the checks judge as cut off (answering) or down.
func (c *collector) unlistByTheOthers() {
	for i := range c.snap.Brokers {
		b := &c.snap.Brokers[i]
		if !b.Registered || (b.FencedKnown && b.Fenced) {
			continue // already judged by the cluster: unlisted, or registered and fenced
		}
		others, listing := 0, 0
		for _, v := range c.snap.BrokerViews {
			if v.Broker == b.ID || !v.Probe.Answered() {
				continue
			}
			others++
			if slices.Contains(v.Brokers, b.ID) {
				listing++
			}
		}
		if others >= 2 && 2*listing < others {
			b.Registered = false
		}
	}
}

// controllersOnly is the collection when no broker answered: with
// bootstrap controllers given, the quorum may still be read, which is what
// on-call needs while every broker is down. The snapshot then has no broker
// and no topic, and says why (errors of sources bootstrap and metadata), so
// that no check mistakes the emptiness for health. It reports false, and
// collects nothing, when no controller answered either.
func (c *collector) controllersOnly(ctx context.Context, bootErr error) bool {
	var nc *NoClusterError
	if len(c.opts.BootstrapControllers) == 0 || !errors.As(bootErr, &nc) {
		return false
	}
	controllers := make([]snapshot.Endpoint, 0, len(c.opts.BootstrapControllers))
	answered := false
	for _, addr := range c.opts.BootstrapControllers {
		cn := c.pool.get(ctx, addr)
		answered = cn.wait(ctx) || answered
		controllers = append(controllers, snapshot.Endpoint{Address: addr, Probe: probeOf(cn)})
	}
	if !answered {
		nc.Controllers = controllers
		return false
	}
	c.snap.Bootstrap = nc.Endpoints
	var first error
	for _, ep := range nc.Endpoints {
		err := probeErr(c.pool.get(ctx, ep.Address))
		c.record(snapshot.SourceBootstrap, -1, ep.Address, err)
		first = cmp.Or(first, err)
	}
	if first == nil {
		first = errors.New("no bootstrap server was given")
	}
	c.record(snapshot.SourceMetadata, -1, "", fmt.Errorf("brokers and topics are unknown: %w", first))
	c.applyMode()
	c.quorumFromControllers(ctx)
	return true
}

// implied adds the parts others cannot do without: the record at a
// committed offset is read only where the group has lag, which takes the
// committed offsets and the log end.
func implied(parts source.Parts) source.Parts {
	if parts.Has(source.PartTimeLag) {
		parts |= source.PartGroupOffsets | source.PartLogEndOffsets
	}
	return parts
}

// tightened copies cfg with network timeouts that fit one request deadline
// and no retries: on a dead cluster a retry only repeats the wait.
func tightened(cfg *sarama.Config, reqTimeout time.Duration) *sarama.Config {
	out := sarama.NewConfig()
	if cfg != nil {
		copied := *cfg
		out = &copied
	}
	if out.Net.DialTimeout <= 0 || out.Net.DialTimeout > reqTimeout {
		out.Net.DialTimeout = reqTimeout
	}
	if out.Net.ReadTimeout <= 0 || out.Net.ReadTimeout > reqTimeout {
		out.Net.ReadTimeout = reqTimeout
	}
	if out.Net.WriteTimeout <= 0 || out.Net.WriteTimeout > reqTimeout {
		out.Net.WriteTimeout = reqTimeout
	}
	out.Metadata.Retry.Max = 0
	out.Metadata.AllowAutoTopicCreation = false
	out.ApiVersionsRequest = true
	if !out.Version.IsAtLeast(sarama.V4_0_0_0) {
		out.Version = sarama.V4_0_0_0
	}
	return out
}

// record adds a collection failure. Errors are gathered with multierror so
// that one dead broker never hides what the others said.
func (c *collector) record(source string, broker int32, subject string, err error) {
	if err == nil {
		return
	}
	f := classify(err)
	ce := &collectErr{snapshot.CollectError{
		Source: source, Broker: broker, Subject: subject, Kind: f.kind, Cause: f.cause, Message: describeErr(err),
	}}
	c.errMu.Lock()
	c.errs = multierror.Append(c.errs, ce)
	c.errMu.Unlock()
}

// collectErr is a CollectError that travels as an error.
type collectErr struct{ snapshot.CollectError }

func (e *collectErr) Error() string {
	if e.Broker < 0 {
		return fmt.Sprintf("%s: %s", e.Source, e.Message)
	}
	return fmt.Sprintf("%s (broker %d): %s", e.Source, e.Broker, e.Message)
}

// finish moves the gathered errors into the snapshot.
func (c *collector) finish() {
	if c.errs == nil {
		return
	}
	for _, err := range c.errs.Errors {
		var ce *collectErr
		if errors.As(err, &ce) {
			c.snap.Errors = append(c.snap.Errors, ce.CollectError)
		}
	}
}

// bootstrap probes every seed in parallel and returns the first that
// answered, in the user's order. It does not wait for slow seeds once one
// answered: their probes go on and are reported at the end.
func (c *collector) bootstrap(ctx context.Context) (*conn, error) {
	conns := make([]*conn, len(c.opts.Bootstrap))
	for i, addr := range c.opts.Bootstrap {
		conns[i] = c.pool.get(ctx, addr)
	}
	first := make(chan *conn, len(conns))
	for _, cn := range conns {
		go func() {
			if cn.wait(ctx) {
				first <- cn
			} else {
				first <- nil
			}
		}()
	}
	for range conns {
		if cn := <-first; cn != nil {
			return cn, nil
		}
	}
	// Nothing answered: report every seed as it ended.
	return nil, &NoClusterError{Endpoints: c.endpoints(ctx)}
}

// endpoints reports each bootstrap address, waiting for its probe within ctx.
func (c *collector) endpoints(ctx context.Context) []snapshot.Endpoint {
	out := make([]snapshot.Endpoint, 0, len(c.opts.Bootstrap))
	for _, addr := range c.opts.Bootstrap {
		cn := c.pool.get(ctx, addr)
		cn.wait(ctx)
		out = append(out, snapshot.Endpoint{Address: addr, Probe: probeOf(cn)})
	}
	return out
}

// probeOf reads a connection's probe, or a timeout when it has not ended.
func probeOf(cn *conn) snapshot.Probe {
	select {
	case <-cn.ready:
		return cn.probe
	default:
		return snapshot.Probe{Status: snapshot.StatusTimeout, Cause: snapshot.CauseTimeout, Error: "no answer before the deadline"}
	}
}

// probeErr is why a connection's probe failed: its error, or a timeout
// when it had not ended by the deadline.
func probeErr(cn *conn) error {
	select {
	case <-cn.ready:
		if cn.err != nil {
			return cn.err
		}
		if !cn.probe.Answered() {
			return errors.New(cn.probe.Error)
		}
		return nil
	default:
		return fmt.Errorf("no answer before the deadline: %w", context.DeadlineExceeded)
	}
}
