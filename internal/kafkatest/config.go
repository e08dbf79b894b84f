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

// ControllerID is the node id of the controller-only node.
const ControllerID int32 = 9

// NumBrokers is the number of broker-only nodes; their ids are 1 to NumBrokers.
const NumBrokers = 3

// Options tunes a cluster. The zero value gives the fast-failure cluster of the incidents
// reference ("Reproducing faults on a local 3-broker KRaft cluster").
type Options struct {
	// SessionTimeout is the controller's broker.session.timeout.ms: how long a silent broker
	// stays registered. Default 3s, so a killed broker is fenced quickly; tests that pause a
	// broker and need it to stay registered use a long one.
	SessionTimeout time.Duration
	// ReplicaLagTimeMax is replica.lag.time.max.ms: how long a follower may lag before the
	// leader drops it from the ISR. Default 2s.
	ReplicaLagTimeMax time.Duration
	// LogDirs is the number of log directories per broker (log.dirs). Default 1; use 2 to
	// reproduce the failure of one directory.
	LogDirs int
	// Properties are extra server properties for every node. They override the defaults.
	Properties map[string]string
	// NodeProperties are extra server properties per node id, applied after Properties.
	NodeProperties map[int32]map[string]string
	// Features are feature levels set when formatting storage (StorageTool format --feature),
	// e.g. {"eligible.leader.replicas.version": 0}. A 4.1 format turns ELR on by default, which
	// empties the ISR of a partition whose last replica fails; level 0 keeps the pre-ELR
	// behaviour where the ISR still names the broker that must come back.
	Features map[string]int
	// StartTimeout bounds Start and Restart. Default 90s.
	StartTimeout time.Duration
	// ControllerVia, when set, is given the controller's real address and
	// returns the address every broker must use for it instead: a Proxy
	// the test controls. The controller also advertises that address,
	// because brokers learn the quorum leader's endpoint from it and would
	// otherwise bypass the proxy. The test can then isolate one broker from
	// the controller (a zombie leader) while clients still reach it. It is
	// called once per node and must return the same address each time.
	ControllerVia func(controllerAddr string) string
	// Security, when set, gives every broker secured client listeners (TLS, mutual TLS,
	// SASL) and can turn ACLs on; see Security. Nil keeps the PLAINTEXT-only cluster.
	Security *Security
}

func (o Options) withDefaults() Options {
	if o.SessionTimeout == 0 {
		o.SessionTimeout = 3 * time.Second
	}
	if o.ReplicaLagTimeMax == 0 {
		o.ReplicaLagTimeMax = 2 * time.Second
	}
	if o.LogDirs == 0 {
		o.LogDirs = 1
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 90 * time.Second
	}
	return o
}

func (o Options) validate() error {
	// Kafka rejects a session timeout not above the heartbeat interval, and a lag time not above
	// replica.fetch.wait.max.ms (500 ms): fail here with a clearer message than a dead JVM.
	if o.SessionTimeout <= heartbeatInterval {
		return fmt.Errorf("SessionTimeout %s must exceed the %s heartbeat interval", o.SessionTimeout, heartbeatInterval)
	}
	if o.ReplicaLagTimeMax <= 500*time.Millisecond {
		return fmt.Errorf("ReplicaLagTimeMax %s must exceed 500ms (replica.fetch.wait.max.ms)", o.ReplicaLagTimeMax)
	}
	if o.LogDirs < 1 {
		return fmt.Errorf("LogDirs %d must be at least 1", o.LogDirs)
	}
	return o.Security.validate()
}

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
	// listenerPorts are the ports of the secured listeners (Options.Security), by name.
	listenerPorts map[string]int

	proc   *process
	paused bool
}

func (n *node) addr() string { return net.JoinHostPort(loopback, strconv.Itoa(n.port)) }

// loopback is the only address the harness binds or advertises.
const loopback = "127.0.0.1"

// properties is the node's server.properties. tls holds a broker's key material settings
// when Options.Security uses TLS.
func (n *node) properties(o Options, controllerPort int, tls map[string]string) map[string]string {
	p := commonProperties(o)
	voterAddr := net.JoinHostPort(loopback, strconv.Itoa(controllerPort))
	if n.broker {
		voterAddr = controllerAddr(o, controllerPort)
	}
	voter := fmt.Sprintf("%d@%s", ControllerID, voterAddr)
	p["node.id"] = strconv.Itoa(int(n.id))
	p["controller.quorum.voters"] = voter
	p["controller.listener.names"] = "CONTROLLER"
	p["log.dirs"] = strings.Join(n.logDirs, ",")
	if n.broker {
		p["process.roles"] = "broker"
		p["listeners"] = "PLAINTEXT://" + n.addr()
		p["advertised.listeners"] = "PLAINTEXT://" + n.addr()
		p["inter.broker.listener.name"] = "PLAINTEXT"
		p["listener.security.protocol.map"] = "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
	} else {
		p["process.roles"] = "controller"
		p["listeners"] = "CONTROLLER://" + n.addr()
		p["listener.security.protocol.map"] = "CONTROLLER:PLAINTEXT"
		if o.ControllerVia != nil {
			p["advertised.listeners"] = "CONTROLLER://" + controllerAddr(o, controllerPort)
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

// newNodes lays out the controller and brokers under dir, with ports picked now and kept for
// the cluster's life so that a restarted node comes back at the same address. ca signs the
// brokers' certificates when Options.Security uses TLS.
func newNodes(dir string, o Options, ca *CA) (map[int32]*node, error) {
	ids := []int32{ControllerID}
	for id := int32(1); id <= NumBrokers; id++ {
		ids = append(ids, id)
	}
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
	for _, id := range ids {
		home := filepath.Join(dir, fmt.Sprintf("node-%d", id))
		n := &node{id: id, broker: id != ControllerID, port: next(), home: home,
			propPath: filepath.Join(home, "server.properties"), logPath: filepath.Join(home, "kafka.log")}
		dirs := 1
		if n.broker {
			dirs = o.LogDirs
			n.listenerPorts = map[string]int{}
			for _, l := range secured {
				n.listenerPorts[l.Name] = next()
			}
		}
		for d := range dirs {
			n.logDirs = append(n.logDirs, filepath.Join(home, fmt.Sprintf("data-%d", d)))
		}
		nodes[id] = n
	}
	for _, n := range nodes {
		if err := os.MkdirAll(n.home, 0o755); err != nil {
			return nil, err
		}
		var tls map[string]string
		if n.broker && ca != nil {
			if tls, err = o.Security.writeBrokerTLS(ca, n.id, filepath.Join(n.home, "tls")); err != nil {
				return nil, err
			}
		}
		if err := writeProperties(n.propPath, n.properties(o, nodes[ControllerID].port, tls)); err != nil {
			return nil, err
		}
	}
	return nodes, nil
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

// controllerAddr is where brokers reach the controller: its own listener,
// or the proxy a test put in front of it. The proxy is created once.
func controllerAddr(o Options, port int) string {
	real := net.JoinHostPort(loopback, strconv.Itoa(port))
	if o.ControllerVia == nil {
		return real
	}
	return o.ControllerVia(real)
}
