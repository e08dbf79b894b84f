package kafkatest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

const heartbeatInterval = 500 * time.Millisecond

// commonProperties go to every node; keys a node does not use are ignored by Kafka.
func commonProperties(o Options) map[string]string {
	return map[string]string{
		"broker.heartbeat.interval.ms":                 strconv.FormatInt(heartbeatInterval.Milliseconds(), 10),
		"broker.session.timeout.ms":                    strconv.FormatInt(o.SessionTimeout.Milliseconds(), 10),
		"replica.lag.time.max.ms":                      strconv.FormatInt(o.ReplicaLagTimeMax.Milliseconds(), 10),
		"min.insync.replicas":                          "2",
		"default.replication.factor":                   "3",
		"offsets.topic.replication.factor":             "3",
		"offsets.topic.num.partitions":                 "3",
		"transaction.state.log.replication.factor":     "3",
		"transaction.state.log.min.isr":                "2",
		"transaction.state.log.num.partitions":         "3",
		"share.coordinator.state.topic.num.partitions": "3",
		"group.initial.rebalance.delay.ms":             "0",
		"auto.leader.rebalance.enable":                 "false",
		"unclean.leader.election.interval.ms":          "1000",
		"log.retention.check.interval.ms":              "1000",
		"auto.create.topics.enable":                    "false",
		// Four JVMs share two cores: fewer threads start faster and contend less.
		"num.network.threads":               "2",
		"num.io.threads":                    "2",
		"background.threads":                "2",
		"num.recovery.threads.per.data.dir": "1",
		"group.coordinator.threads":         "1",
		"share.coordinator.threads":         "1",
	}
}

// node is one Kafka JVM. Its process fields are guarded by Cluster.mu.
type node struct {
	id       int32
	broker   bool
	port     int
	home     string // holds server.properties, kafka.log and the data directories
	logDirs  []string
	propPath string
	logPath  string
	// advertised is the PLAINTEXT address a broker advertises: its own, or its proxy's
	// (Options.ProxiedBrokers).
	advertised string
	// listenerPorts are the ports of the secured listeners (Options.Security), by name.
	listenerPorts map[string]int

	proc   *process
	paused bool
	// isolated: IsolateFromController cut the broker's path to the controllers.
	isolated bool
}

func (n *node) addr() string { return net.JoinHostPort(loopback, strconv.Itoa(n.port)) }

// advertisedAddr is the PLAINTEXT address clients and other brokers are told to use.
func (n *node) advertisedAddr() string {
	if n.advertised != "" {
		return n.advertised
	}
	return n.addr()
}

// loopback is the only address the harness binds or advertises.
const loopback = "127.0.0.1"

// quorum is where the controllers listen and where brokers reach them.
type quorum struct {
	ids  []int32          // ascending
	real map[int32]string // each controller's own listener
	via  map[int32]string // the address brokers use: real, or the proxy of Options.ControllerVia
}

// newQuorum asks Options.ControllerVia once per controller, in id order.
func newQuorum(o Options, ports map[int32]int) quorum {
	q := quorum{ids: o.controllerIDs(), real: map[int32]string{}, via: map[int32]string{}}
	for _, id := range q.ids {
		q.real[id] = net.JoinHostPort(loopback, strconv.Itoa(ports[id]))
		q.via[id] = q.real[id]
		if o.ControllerVia != nil {
			q.via[id] = o.ControllerVia(q.real[id])
		}
	}
	return q
}

// voters is controller.quorum.voters: "9@host:port,10@host:port,...". Controllers reach each
// other directly; brokers take the via addresses.
func (q quorum) voters(forBroker bool) string {
	addrs := q.real
	if forBroker {
		addrs = q.via
	}
	var vs []string
	for _, id := range q.ids {
		vs = append(vs, fmt.Sprintf("%d@%s", id, addrs[id]))
	}
	return strings.Join(vs, ",")
}

// properties is the node's server.properties. tls holds a broker's key material settings
// when Options.Security uses TLS.
func (n *node) properties(o Options, q quorum, tls map[string]string) map[string]string {
	p := commonProperties(o)
	if o.ZooKeeper {
		maps.Copy(p, n.zooKeeperProperties(o))
		maps.Copy(p, o.Properties)
		maps.Copy(p, o.NodeProperties[n.id])
		return p
	}
	p["node.id"] = strconv.Itoa(int(n.id))
	p["controller.quorum.voters"] = q.voters(n.broker)
	p["controller.listener.names"] = "CONTROLLER"
	p["log.dirs"] = strings.Join(n.logDirs, ",")
	if n.broker {
		p["process.roles"] = "broker"
		p["listeners"] = "PLAINTEXT://" + n.addr()
		p["advertised.listeners"] = "PLAINTEXT://" + n.advertisedAddr()
		p["inter.broker.listener.name"] = "PLAINTEXT"
		p["listener.security.protocol.map"] = "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
	} else {
		p["process.roles"] = "controller"
		p["listeners"] = "CONTROLLER://" + n.addr()
		p["listener.security.protocol.map"] = "CONTROLLER:PLAINTEXT"
		if via := q.via[n.id]; via != q.real[n.id] {
			p["advertised.listeners"] = "CONTROLLER://" + via
		}
	}
	if o.Security != nil {
		maps.Copy(p, o.Security.authorizerProperties())
		if n.broker {
			maps.Copy(p, o.Security.brokerProperties(n, tls))
		}
	}
	maps.Copy(p, o.Properties)
	maps.Copy(p, o.NodeProperties[n.id])
	return p
}

func writeProperties(path string, props map[string]string) error {
	var b strings.Builder
	b.WriteString("# Written by internal/kafkatest.\n")
	for _, k := range slices.Sorted(maps.Keys(props)) {
		fmt.Fprintf(&b, "%s=%s\n", k, props[k])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// newNodes lays out the controllers and brokers under dir, with ports picked now and kept for
// the cluster's life so that a restarted node comes back at the same address. ca signs the
// brokers' certificates when Options.Security uses TLS; advertised holds the proxy address of
// each proxied broker.
func newNodes(dir string, o Options, ca *CA, advertised map[int32]string) (map[int32]*node, error) {
	ids := append(o.controllerIDs(), brokerIDs()...)
	var secured []Listener
	if o.Security != nil {
		secured = o.Security.Listeners
	}
	ports, err := freePorts(len(ids) + NumBrokers*len(secured))
	if err != nil {
		return nil, err
	}
	next := func() int {
		p := ports[0]
		ports = ports[1:]
		return p
	}
	nodes := make(map[int32]*node, len(ids))
	controllerPorts := map[int32]int{}
	for _, id := range ids {
		home := filepath.Join(dir, fmt.Sprintf("node-%d", id))
		n := &node{id: id, broker: !slices.Contains(o.controllerIDs(), id), port: next(), home: home,
			propPath: filepath.Join(home, "server.properties"), logPath: filepath.Join(home, "kafka.log")}
		dirs := 1
		if n.broker {
			dirs = o.LogDirs
			n.advertised = advertised[id]
			n.listenerPorts = map[string]int{}
			for _, l := range secured {
				n.listenerPorts[l.Name] = next()
			}
		} else {
			controllerPorts[id] = n.port
		}
		for d := range dirs {
			path := filepath.Join(home, fmt.Sprintf("data-%d", d))
			if at, ok := o.LogDirAt[id]; ok && n.broker && d == 0 {
				path = at
			}
			n.logDirs = append(n.logDirs, path)
		}
		nodes[id] = n
	}
	return nodes, writeNodes(nodes, o, ca, newQuorum(o, controllerPorts))
}

// writeNodes creates each node's directory, TLS material and server.properties.
func writeNodes(nodes map[int32]*node, o Options, ca *CA, q quorum) error {
	for _, n := range nodes {
		if err := os.MkdirAll(n.home, 0o755); err != nil {
			return err
		}
		var tls map[string]string
		if n.broker && ca != nil {
			var err error
			if tls, err = o.Security.writeBrokerTLS(ca, n.id, filepath.Join(n.home, "tls")); err != nil {
				return err
			}
		}
		if err := writeProperties(n.propPath, n.properties(o, q, tls)); err != nil {
			return err
		}
	}
	return nil
}

// brokerIDs are 1 to NumBrokers.
func brokerIDs() []int32 {
	ids := make([]int32, 0, NumBrokers)
	for id := int32(1); id <= NumBrokers; id++ {
		ids = append(ids, id)
	}
	return ids
}

// freePorts holds every listener open until all ports are chosen, so the kernel cannot hand
// the same port out twice. Another process may still grab one before Kafka binds it; the
// window is small and the failure is loud (the node's log says "Address already in use").
func freePorts(n int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// newClusterID makes a Kafka Uuid string (16 random bytes, unpadded URL-safe base64), avoiding
// a leading '-' that the CLI parser would read as a flag, as Kafka's own Uuid.randomUuid does.
func newClusterID() string {
	for {
		var b [16]byte
		_, _ = rand.Read(b[:]) // never fails since Go 1.24
		if id := base64.RawURLEncoding.EncodeToString(b[:]); id[0] != '-' {
			return id
		}
	}
}

const nodeLog4j = `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders>
    <Console name="out" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d{HH:mm:ss.SSS}] %p %m (%c{1})%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <!-- Connection-refused warnings flood the log while nodes start or after a kill. -->
    <Logger name="org.apache.kafka.clients.NetworkClient" level="error"/>
    <Root level="info"><AppenderRef ref="out"/></Root>
  </Loggers>
</Configuration>
`

// toolLog4j keeps CLI tools' stdout for their real output, as Kafka's own scripts do.
const toolLog4j = `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders>
    <Console name="err" target="SYSTEM_ERR">
      <PatternLayout pattern="[%d{HH:mm:ss.SSS}] %p %m (%c{1})%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="warn"><AppenderRef ref="err"/></Root>
  </Loggers>
</Configuration>
`

// toolConfig is the --command-config of the harness's tool wrappers. The admin client's
// defaults (30 s a request, 60 s a call) would let a tool facing a cluster without a quorum
// leader retry for a minute; a verdict test wants the failure within seconds.
const toolConfig = "request.timeout.ms=5000\ndefault.api.timeout.ms=15000\n"
