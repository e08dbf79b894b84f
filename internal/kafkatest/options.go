package kafkatest

import (
	"fmt"
	"time"
)

// ControllerID is the node id of the first controller-only node: the only one by default.
const ControllerID int32 = 9

// MaxControllers bounds Options.Controllers: three controllers and three brokers are six JVMs,
// as many as two shared cores start within Options.StartTimeout.
const MaxControllers = 3

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
	// LogDirAt places a broker's first log directory at the given path instead of under the
	// cluster's directory: a small filesystem the test mounted there (tmpfs), to fill it. The
	// directory must exist and be empty; the harness formats it like any other.
	LogDirAt map[int32]string
	// Controllers is the number of controller-only nodes, ids ControllerID (9), 10, 11, all
	// voters in a static controller.quorum.voters. 0 or 1 gives the single controller, whose
	// loss stops the metadata quorum; 3 gives a quorum that survives one lost voter and not
	// two, for quorum faults. At most MaxControllers.
	Controllers int
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
	// ControllerVia, when set, is given each controller's real address and
	// returns the address every broker must use for it instead: a Proxy
	// the test controls. The controller also advertises that address,
	// because brokers learn the quorum leader's endpoint from it and would
	// otherwise bypass the proxy. The test can then isolate one broker from
	// the controller (a zombie leader) while clients still reach it. It is
	// called once per controller, before any node starts.
	// ControllerProxies does the same with proxies the harness owns.
	ControllerVia func(controllerAddr string) string
	// ControllerProxies puts a harness-owned Proxy in front of every controller (as
	// ControllerVia would), so that IsolateFromController can cut one broker off the quorum
	// while clients still reach it, and Reconnect can undo it. It excludes ControllerVia. In
	// ZooKeeper mode it puts a proxy between each broker and ZooKeeper instead.
	ControllerProxies bool
	// ProxiedBrokers are brokers reached through a harness-owned Proxy (BrokerProxy): each
	// advertises its proxy's address on its PLAINTEXT listener, so every connection a client
	// opens after bootstrapping, and every other broker's replication from it, passes the
	// proxy. Bootstrap and the harness's own probes keep the broker's real address; a client
	// that must pass the proxy from its first request bootstraps from BrokerProxy(id).Addr().
	ProxiedBrokers []int32
	// JVMProperties are Java system properties (-Dkey=value) for every node's JVM, e.g.
	// java.security.krb5.conf for a GSSAPI listener, or Kafka 4's
	// org.apache.kafka.sasl.oauthbearer.allowed.urls for an OAuth validator's JWKS URL.
	JVMProperties map[string]string
	// Security, when set, gives every broker secured client listeners (TLS, mutual TLS,
	// SASL) and can turn ACLs on; see Security. Nil keeps the PLAINTEXT-only cluster.
	Security *Security
	// Version is the Apache Kafka release to run, any kafka_2.13 version Maven Central serves
	// ("3.9.1", "4.4.0"); "" is DefaultVersion. Its jars are fetched into their own directory
	// (see fetch-jars.sh). MatrixVersions lists the ones CI tests.
	Version string
	// ZooKeeper runs the cluster in ZooKeeper mode (Kafka before 4.0 only): a ZooKeeper server
	// from the same jars (ZooKeeperID) in place of the KRaft controllers, and the three
	// brokers, one of which ZooKeeper elects the controller. It excludes Controllers above 1,
	// ControllerVia, ControllerProxies, Features and Security.
	ZooKeeper bool

	// zooKeeperAddr is where the brokers reach ZooKeeper, set by Start in ZooKeeper mode;
	// zooKeeperVia the proxy each broker uses instead (ControllerProxies in ZooKeeper mode).
	zooKeeperAddr string
	zooKeeperVia  map[int32]string
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
	if o.Controllers == 0 {
		o.Controllers = 1
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 90 * time.Second
	}
	if o.Version == "" {
		o.Version = DefaultVersion
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
	if o.Controllers < 1 || o.Controllers > MaxControllers {
		return fmt.Errorf("Options.Controllers %d must be from 1 to %d", o.Controllers, MaxControllers)
	}
	if o.ControllerProxies && o.ControllerVia != nil {
		return fmt.Errorf("ControllerProxies and ControllerVia both put proxies in front of the controllers: set one")
	}
	for id := range o.LogDirAt {
		if id < 1 || id > NumBrokers {
			return fmt.Errorf("LogDirAt: %d is not a broker id (1 to %d)", id, NumBrokers)
		}
	}
	for _, id := range o.ProxiedBrokers {
		if id < 1 || id > NumBrokers {
			return fmt.Errorf("ProxiedBrokers: %d is not a broker id (1 to %d)", id, NumBrokers)
		}
	}
	if err := o.validateVersion(); err != nil {
		return err
	}
	return o.Security.validate()
}

// validateVersion refuses a malformed version and what ZooKeeper mode cannot do.
func (o Options) validateVersion() error {
	v, err := parseVersion(o.Version)
	if err != nil {
		return fmt.Errorf("Options.Version: %w", err)
	}
	if !o.ZooKeeper {
		return nil
	}
	switch {
	case !v.before(4, 0):
		return fmt.Errorf("Options.ZooKeeper: Kafka %s has no ZooKeeper mode (removed in 4.0)", v)
	case o.Controllers > 1 || o.ControllerVia != nil:
		return fmt.Errorf("Options.ZooKeeper: there are no KRaft controllers to add or proxy (ControllerProxies puts proxies between the brokers and ZooKeeper)")
	case len(o.Features) > 0:
		return fmt.Errorf("Options.ZooKeeper: features are set when formatting KRaft storage, which ZooKeeper mode does not do")
	case o.Security != nil:
		return fmt.Errorf("Options.ZooKeeper: secured listeners are not supported in ZooKeeper mode")
	}
	return nil
}

// controllerIDs are the controllers' node ids, ascending; none in ZooKeeper mode.
func (o Options) controllerIDs() []int32 {
	if o.ZooKeeper {
		return nil
	}
	ids := make([]int32, 0, o.Controllers)
	for i := range int32(max(o.Controllers, 1)) {
		ids = append(ids, ControllerID+i)
	}
	return ids
}
