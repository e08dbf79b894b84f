package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// tailLines is how much of each node's log a failure report shows.
const tailLines = 40

// Cluster is a running KRaft cluster owned by one test. Its methods are safe for concurrent
// use, so a test may produce from one goroutine while it injects faults from another.
type Cluster struct {
	jvm       jvm
	dir       string
	clusterID string
	opts      Options
	nodeLog4j string
	toolLog4j string
	nodes     map[int32]*node // the map is fixed; process state in each node is guarded by mu
	zk        *node           // the ZooKeeper server in ZooKeeper mode (Options.ZooKeeper), else nil
	ca        *CA             // signs the brokers' certificates; nil without TLS listeners
	proxies   harnessProxies  // fixed after Start
	// toolConfig is the --command-config of the harness's tool wrappers: timeouts short
	// enough that a tool facing a cluster without a quorum fails within seconds.
	toolConfig string

	mu         sync.Mutex
	tailsShown bool   // a failure message already carries the logs; cleanup need not repeat them
	reassigned []move // what Reassign moved since the last CancelReassignments
}

// Start formats and starts the controllers (Options.Controllers) and NumBrokers brokers, and
// returns once every controller names a running quorum leader and every broker is
// registered, unfenced and answers Metadata listing all brokers. Everything it starts is
// killed when the test ends, however it ends. It skips the test under -short or when Java 17
// or Maven is missing (see EnvRequire).
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("kafkatest: real Kafka brokers do not run under -short")
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		t.Fatalf("kafkatest: %v", err)
	}
	java, version, err := findJava()
	if err != nil {
		unavailable(t, "%v", err)
	}
	libs := ensureLibs(t, opts.Version)
	j := jvm{java: java, libs: libs}
	j.cds = ensureCDS(t, j, version)
	for _, k := range slices.Sorted(maps.Keys(opts.JVMProperties)) {
		j.sysProps = append(j.sysProps, "-D"+k+"="+opts.JVMProperties[k])
	}

	began := time.Now()
	proxies := newHarnessProxies(t, &opts)
	c, err := newCluster(t.TempDir(), j, opts, proxies.advertised())
	if err != nil {
		t.Fatalf("kafkatest: %v", err)
	}
	c.proxies = proxies
	for id, p := range proxies.brokers {
		p.SetTarget(c.BrokerAddr(id))
	}
	for _, p := range proxies.zooKeeper {
		p.target = c.zk.addr() // before any broker starts and dials it
	}
	t.Cleanup(func() { c.shutdown(t) })
	if err := c.formatAndLaunch(); err != nil {
		t.Fatalf("kafkatest: %v", err)
	}
	if err := c.waitSettled(opts.StartTimeout); err != nil {
		t.Fatalf("kafkatest: cluster not ready after %s: %v\n%s", time.Since(began).Round(time.Millisecond), err, c.tails())
	}
	t.Logf("kafkatest: Kafka %s cluster %s ready in %s; brokers %s, %s", opts.Version, c.clusterID,
		time.Since(began).Round(time.Millisecond), strings.Join(c.Bootstrap(), ","), c.metadataPlace())
	return c
}

func newCluster(dir string, j jvm, opts Options, advertised map[int32]string) (*Cluster, error) {
	c := &Cluster{jvm: j, dir: dir, clusterID: newClusterID(), opts: opts,
		nodeLog4j: filepath.Join(dir, "log4j2-node.xml"), toolLog4j: filepath.Join(dir, "log4j2-tool.xml"),
		toolConfig: filepath.Join(dir, "tool.properties")}
	for path, text := range map[string]string{c.nodeLog4j: nodeLog4j, c.toolLog4j: toolLog4j, c.toolConfig: toolConfig} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	if opts.ZooKeeper {
		// The ZooKeeper port stays taken until every node's port is chosen.
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return nil, err
		}
		defer l.Close()
		opts.zooKeeperAddr = l.Addr().String()
		if c.zk, err = newZooKeeper(dir, l.Addr().(*net.TCPAddr).Port, opts); err != nil {
			return nil, err
		}
		c.opts = opts
	}
	if opts.Security.usesTLS() {
		ca, err := NewCA("kafkatest CA " + c.clusterID)
		if err != nil {
			return nil, err
		}
		c.ca = ca
	}
	nodes, err := newNodes(dir, opts, c.ca, advertised)
	if err != nil {
		return nil, err
	}
	c.nodes = nodes
	return c, nil
}

// formatAndLaunch formats each node's storage and starts it, all nodes in parallel, so that
// the brokers' formatting overlaps the controller's startup. StorageTool takes one config per
// run; with a static controller.quorum.voters it needs no --standalone or --initial-controllers
// (and rejects them).
func (c *Cluster) formatAndLaunch() error {
	if c.zk != nil {
		return c.launchWithZooKeeper()
	}
	errs := make(chan error, len(c.nodes))
	for _, n := range c.nodes {
		go func() {
			err := c.format(n)
			if err == nil {
				c.mu.Lock()
				err = c.launch(n)
				c.mu.Unlock()
			}
			errs <- err
		}()
	}
	var all []error
	for range c.nodes {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

func (c *Cluster) format(n *node) error {
	args := []string{"format", "--cluster-id", c.clusterID, "--config", n.propPath}
	for _, f := range slices.Sorted(maps.Keys(c.opts.Features)) {
		args = append(args, "--feature", fmt.Sprintf("%s=%d", f, c.opts.Features[f]))
	}
	if c.opts.Security != nil {
		args = append(args, c.opts.Security.scramFormatArgs()...)
	}
	cmd := c.jvm.cmd(context.Background(), c.dir, toolHeap, c.toolLog4j, "kafka.tools.StorageTool", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("formatting node %d: %v\n%s", n.id, err, out)
	}
	return nil
}

// launchWithZooKeeper starts ZooKeeper, then the brokers, which need no formatting: each
// writes its meta.properties on first start.
func (c *Cluster) launchWithZooKeeper() error {
	if err := c.launchZooKeeper(c.opts.StartTimeout); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range c.BrokerIDs() {
		if err := c.launch(c.nodes[id]); err != nil {
			return err
		}
	}
	return nil
}

// metadataPlace says where the cluster keeps its metadata, for the log.
func (c *Cluster) metadataPlace() string {
	if c.zk != nil {
		return "ZooKeeper " + c.zk.addr()
	}
	return "controllers " + strings.Join(c.ControllerAddrs(), ",")
}

// launch starts a node's JVM with its stdout and stderr appended to its log file, which
// survives restarts so that a failure report shows the whole history.
func (c *Cluster) launch(n *node) error {
	logf, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own descriptor
	fmt.Fprintf(logf, "=== kafkatest: starting node %d at %s ===\n", n.id, time.Now().Format(time.RFC3339Nano))
	heap := brokerHeap
	if !n.broker {
		heap = controllerHeap
	}
	cmd := c.jvm.cmd(context.Background(), n.home, heap, c.nodeLog4j, "kafka.Kafka", n.propPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	p, err := startProcess(cmd)
	if err != nil {
		return fmt.Errorf("starting node %d: %w", n.id, err)
	}
	n.proc, n.paused = p, false
	return nil
}

// shutdown kills every node and, if the test failed, shows the end of each node's log.
func (c *Cluster) shutdown(t testing.TB) {
	c.mu.Lock()
	for _, n := range c.nodes {
		if n.proc != nil {
			n.proc.kill()
		}
	}
	if c.zk != nil && c.zk.proc != nil {
		c.zk.proc.kill() // after the brokers, which would otherwise retry it while they die
	}
	shown := c.tailsShown
	c.mu.Unlock()
	if t.Failed() && !shown {
		t.Logf("kafkatest: node logs of cluster %s:\n%s", c.clusterID, c.tails())
	}
}

// tails is the end of every node's log, controller first.
func (c *Cluster) tails() string {
	c.mu.Lock()
	c.tailsShown = true
	c.mu.Unlock()
	var b strings.Builder
	for _, id := range c.ids() {
		n := c.nodes[id]
		fmt.Fprintf(&b, "----- node %d (%s), last %d lines -----\n%s\n", n.id, n.logPath, tailLines, tail(n.logPath, tailLines))
	}
	if c.zk != nil {
		fmt.Fprintf(&b, "----- ZooKeeper (%s), last %d lines -----\n%s\n", c.zk.logPath, tailLines, tail(c.zk.logPath, tailLines))
	}
	return b.String()
}

// ids lists the controllers then the brokers, so that reports read in a stable order.
func (c *Cluster) ids() []int32 { return append(c.ControllerIDs(), c.BrokerIDs()...) }

// BrokerIDs returns the broker ids, ascending.
func (c *Cluster) BrokerIDs() []int32 { return brokerIDs() }

// ControllerIDs returns the controller ids, ascending: ControllerID, then one more per
// controller Options.Controllers asked for.
func (c *Cluster) ControllerIDs() []int32 { return c.opts.controllerIDs() }

// Bootstrap returns every broker's address ("127.0.0.1:port"), whatever its state.
func (c *Cluster) Bootstrap() []string {
	var addrs []string
	for _, id := range c.BrokerIDs() {
		addrs = append(addrs, c.nodes[id].addr())
	}
	return addrs
}

// BrokerAddr returns the address of broker id, or "" if there is no such broker.
func (c *Cluster) BrokerAddr(id int32) string {
	if n, ok := c.nodes[id]; ok && n.broker {
		return n.addr()
	}
	return ""
}

// ControllerAddr returns the listener address of controller ControllerID, the only one by
// default, for tools that take --bootstrap-controller and for DescribeQuorum; "" in ZooKeeper
// mode, which has no controller node.
func (c *Cluster) ControllerAddr() string {
	if n, ok := c.nodes[ControllerID]; ok {
		return n.addr()
	}
	return ""
}

// ControllerAddrs returns every controller's own listener address, in id order, whatever its
// state: the --bootstrap-controller list (KIP-919). With ControllerVia or ControllerProxies
// these are the real addresses, not the proxies.
func (c *Cluster) ControllerAddrs() []string {
	var addrs []string
	for _, id := range c.ControllerIDs() {
		addrs = append(addrs, c.nodes[id].addr())
	}
	return addrs
}

// ClusterID returns the id the nodes were formatted with.
func (c *Cluster) ClusterID() string { return c.clusterID }

// LibsDir returns the directory of Kafka jars the nodes run from.
func (c *Cluster) LibsDir() string { return c.jvm.libs }

// LogPath returns the file holding node id's log across restarts, or "" for an unknown id.
func (c *Cluster) LogPath(id int32) string {
	if n, ok := c.nodes[id]; ok {
		return n.logPath
	}
	return ""
}

// LogDirs returns node id's data directories (log.dirs), for tests that break one.
func (c *Cluster) LogDirs(id int32) []string {
	if n, ok := c.nodes[id]; ok {
		return slices.Clone(n.logDirs)
	}
	return nil
}
