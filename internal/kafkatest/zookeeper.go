package kafkatest

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ZooKeeper mode (Options.ZooKeeper): Kafka before 4.0 could keep its metadata in ZooKeeper
// instead of a KRaft quorum. The harness then runs one ZooKeeper server from the ZooKeeper jars
// that kafka_2.13 depends on, and the three brokers register there; ZooKeeper elects one of
// them the controller, the broker Metadata names. Nothing is formatted. With
// Options.ControllerProxies each broker reaches ZooKeeper through its own zooKeeperProxy, which
// IsolateFromController cuts.

// zooKeeperMain is ZooKeeper's standalone server (what zookeeper-server-start.sh runs).
const zooKeeperMain = "org.apache.zookeeper.server.ZooKeeperServerMain"

// zooKeeperTick is ZooKeeper's tickTime: sessions may be as short as two ticks, so that a
// killed broker's registration goes within Options.SessionTimeout (3 s by default).
const zooKeeperTick = 500 * time.Millisecond

// zooKeeperProperties are a broker's server.properties keys in ZooKeeper mode: broker.id and
// zookeeper.connect instead of node.id, process.roles and the controller quorum. The ZooKeeper
// session timeout plays the KRaft broker session's part: a broker silent that long loses its
// registration, and the controller takes it out of the ISRs.
func (n *node) zooKeeperProperties(o Options) map[string]string {
	return map[string]string{
		"broker.id":                       strconv.Itoa(int(n.id)),
		"zookeeper.connect":               cmp.Or(o.zooKeeperVia[n.id], o.zooKeeperAddr),
		"zookeeper.session.timeout.ms":    strconv.FormatInt(o.SessionTimeout.Milliseconds(), 10),
		"zookeeper.connection.timeout.ms": "30000",
		"log.dirs":                        strings.Join(n.logDirs, ","),
		"listeners":                       "PLAINTEXT://" + n.addr(),
		"advertised.listeners":            "PLAINTEXT://" + n.advertisedAddr(),
		"inter.broker.listener.name":      "PLAINTEXT",
		"listener.security.protocol.map":  "PLAINTEXT:PLAINTEXT",
	}
}

// newZooKeeper lays out the ZooKeeper server's directory and zoo.cfg under dir. Its port is
// held open by the caller's listener until the cluster's other ports are chosen.
func newZooKeeper(dir string, port int, o Options) (*node, error) {
	home := filepath.Join(dir, "zookeeper")
	n := &node{id: -1, port: port, home: home, propPath: filepath.Join(home, "zoo.cfg"),
		logPath: filepath.Join(home, "zookeeper.log"), logDirs: []string{filepath.Join(home, "data")}}
	if err := os.MkdirAll(n.logDirs[0], 0o755); err != nil {
		return nil, err
	}
	cfg := map[string]string{
		"tickTime":          strconv.FormatInt(zooKeeperTick.Milliseconds(), 10),
		"dataDir":           n.logDirs[0],
		"clientPort":        strconv.Itoa(port),
		"clientPortAddress": loopback,
		// Sessions from 2 ticks to well above the longest Options.SessionTimeout a test asks.
		"minSessionTimeout":       strconv.FormatInt(2*zooKeeperTick.Milliseconds(), 10),
		"maxSessionTimeout":       strconv.FormatInt(max(o.SessionTimeout, 2*time.Minute).Milliseconds(), 10),
		"maxClientCnxns":          "0",
		"admin.enableServer":      "false",
		"4lw.commands.whitelist":  "ruok",
		"snapCount":               "100000",
		"preAllocSize":            "1024",
		"autopurge.purgeInterval": "0",
	}
	return n, writeProperties(n.propPath, cfg)
}

// launchZooKeeper starts the ZooKeeper server and waits until it answers "ruok": brokers give
// up (and exit) when ZooKeeper does not answer within zookeeper.connection.timeout.ms.
func (c *Cluster) launchZooKeeper(timeout time.Duration) error {
	logf, err := os.OpenFile(c.zk.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := c.jvm.cmd(context.Background(), c.zk.home, toolHeap, c.nodeLog4j, zooKeeperMain, c.zk.propPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	p, err := startProcess(cmd)
	if err != nil {
		return fmt.Errorf("starting ZooKeeper: %w", err)
	}
	c.mu.Lock()
	c.zk.proc = p
	c.mu.Unlock()
	deadline := time.Now().Add(timeout)
	for {
		err := ruok(c.zk.addr())
		if err == nil {
			return nil
		}
		if p.exited() || time.Now().After(deadline) {
			return fmt.Errorf("ZooKeeper at %s not serving: %v\n%s", c.zk.addr(), err, tail(c.zk.logPath, tailLines))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ruok sends ZooKeeper's "are you ok" four-letter command; a serving server says "imok".
func ruok(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("ruok")); err != nil {
		return err
	}
	answer, _ := bufio.NewReader(conn).ReadString('\n')
	if answer != "imok" {
		return fmt.Errorf("ruok answered %q", answer)
	}
	return nil
}

// ZooKeeper reports whether the cluster runs in ZooKeeper mode (Options.ZooKeeper).
func (c *Cluster) ZooKeeper() bool { return c.opts.ZooKeeper }

// ZooKeeperAddr returns the ZooKeeper server's address, "" for a KRaft cluster.
func (c *Cluster) ZooKeeperAddr() string {
	if c.zk == nil {
		return ""
	}
	return c.zk.addr()
}

// Version returns the Kafka version the cluster runs (Options.Version, or DefaultVersion).
func (c *Cluster) Version() string { return c.opts.Version }

// zooKeeperProxy forwards one broker's ZooKeeper connections (Options.ControllerProxies in
// ZooKeeper mode) and can cut them: IsolateFromController then cuts a broker off ZooKeeper, as
// it cuts a KRaft broker off the controllers. ZooKeeper's protocol is not Kafka's, so this
// proxy only copies bytes; it needs no request header to tell brokers apart, because each
// broker has its own.
type zooKeeperProxy struct {
	listener net.Listener
	target   string // fixed before the broker starts

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool // both ends of every open forwarded connection
}

func newZooKeeperProxy(t testing.TB) *zooKeeperProxy {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		t.Fatalf("kafkatest: ZooKeeper proxy: %v", err)
	}
	p := &zooKeeperProxy{listener: l, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { p.close() })
	go p.serve()
	return p
}

func (p *zooKeeperProxy) addr() string { return p.listener.Addr().String() }

// setCut closes every forwarded connection when cutting, and from then on closes new ones as
// soon as they are accepted: the broker's ZooKeeper client keeps retrying and its session
// expires after Options.SessionTimeout.
func (p *zooKeeperProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
	}
}

func (p *zooKeeperProxy) close() {
	p.listener.Close()
	p.setCut(true)
}

func (p *zooKeeperProxy) serve() {
	for {
		in, err := p.listener.Accept()
		if err != nil {
			return // closed
		}
		go p.forward(in)
	}
}

func (p *zooKeeperProxy) forward(in net.Conn) {
	p.mu.Lock()
	cut, target := p.cut, p.target
	p.mu.Unlock()
	if cut {
		in.Close()
		return
	}
	out, err := net.DialTimeout("tcp", target, time.Second)
	if err != nil {
		in.Close()
		return
	}
	p.mu.Lock()
	if p.cut { // cut while dialling
		p.mu.Unlock()
		in.Close()
		out.Close()
		return
	}
	p.conns[in], p.conns[out] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done // one side ended: end both
	in.Close()
	out.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, in)
	delete(p.conns, out)
	p.mu.Unlock()
}
