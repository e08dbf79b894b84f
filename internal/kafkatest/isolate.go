package kafkatest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"
)

// harnessProxies are the proxies the harness itself puts in front of nodes
// (Options.ControllerProxies, Options.ProxiedBrokers). Both maps are fixed once Start returns.
type harnessProxies struct {
	controllers map[string]*Proxy // by the controller's real address
	brokers     map[int32]*Proxy
	zooKeeper   map[int32]*zooKeeperProxy // by broker id, in ZooKeeper mode
}

// newHarnessProxies opens the proxies opts asks for and, for ControllerProxies, points
// opts.ControllerVia at them. Broker proxies get their target once the broker has a port.
func newHarnessProxies(t testing.TB, opts *Options) harnessProxies {
	t.Helper()
	px := harnessProxies{controllers: map[string]*Proxy{}, brokers: map[int32]*Proxy{}}
	for _, id := range opts.ProxiedBrokers {
		if px.brokers[id] == nil {
			px.brokers[id] = NewProxy(t, "")
		}
	}
	if opts.ControllerProxies && opts.ZooKeeper {
		px.zooKeeper = map[int32]*zooKeeperProxy{}
		opts.zooKeeperVia = map[int32]string{}
		for _, id := range brokerIDs() {
			px.zooKeeper[id] = newZooKeeperProxy(t)
			opts.zooKeeperVia[id] = px.zooKeeper[id].addr()
		}
	} else if opts.ControllerProxies {
		opts.ControllerVia = func(real string) string {
			p := NewProxy(t, real)
			px.controllers[real] = p
			return p.Addr()
		}
	}
	return px
}

// advertised is the address each proxied broker advertises.
func (px harnessProxies) advertised() map[int32]string {
	addrs := map[int32]string{}
	for id, p := range px.brokers {
		addrs[id] = p.Addr()
	}
	return addrs
}

// BrokerProxy returns the proxy in front of broker id (Options.ProxiedBrokers), or nil when
// the broker has none. The test controls it: Hang, Block, Requests.
func (c *Cluster) BrokerProxy(id int32) *Proxy { return c.proxies.brokers[id] }

// brokerToController says whether clientID is one broker id uses towards the controllers:
// "raft-client-<id>" for the metadata log and "<id>" for heartbeats, forwarding and
// AlterPartition (seen in Kafka 4.1).
func brokerToController(id int32, clientID string) bool {
	s := strconv.Itoa(int(id))
	return clientID == s || clientID == "raft-client-"+s
}

// IsolateFromController cuts broker id off every controller (Options.ControllerProxies must be
// set): its controller connections are closed and new ones are closed at their first request,
// while clients still reach the broker. In ZooKeeper mode it cuts the broker off ZooKeeper: its
// session expires after Options.SessionTimeout, the controller (another broker) takes it for
// dead and moves its leaderships, and the cut-off broker, which hears nothing more from the
// controller, keeps serving its last metadata. The controller fences it once Options.SessionTimeout
// passes without a heartbeat and moves its leaderships away; the broker, which never fences
// itself in KRaft, keeps answering from its last metadata image (a zombie). The data helpers
// and readiness checks leave an isolated broker out, as they do a paused one.
func (c *Cluster) IsolateFromController(t testing.TB, id int32) {
	t.Helper()
	c.setIsolated(t, "IsolateFromController", id, true)
}

// Reconnect gives broker id its path to the controllers back and waits (up to
// Options.StartTimeout) until every running, unpaused, connected broker lists it as
// registered and unfenced again.
func (c *Cluster) Reconnect(t testing.TB, id int32) {
	t.Helper()
	c.setIsolated(t, "Reconnect", id, false)
	began := time.Now()
	if err := c.waitSettled(c.opts.StartTimeout); err != nil {
		t.Fatalf("kafkatest: Reconnect(%d): broker not back after %s: %v", id, time.Since(began).Round(time.Millisecond), err)
	}
	t.Logf("kafkatest: broker %d reconnected to %s and listed again in %s", id, c.metadataKeeper(), time.Since(began).Round(time.Millisecond))
}

func (c *Cluster) setIsolated(t testing.TB, op string, id int32, isolated bool) {
	t.Helper()
	if len(c.proxies.controllers) == 0 && len(c.proxies.zooKeeper) == 0 {
		t.Fatalf("kafkatest: %s(%d) needs Options.ControllerProxies", op, id)
	}
	n := c.nodeFor(t, op, id)
	if !n.broker {
		c.mu.Unlock()
		t.Fatalf("kafkatest: %s(%d): not a broker", op, id)
	}
	n.isolated = isolated
	var cut []int32
	for _, b := range c.BrokerIDs() {
		if c.nodes[b].isolated {
			cut = append(cut, b)
		}
	}
	c.mu.Unlock()
	if c.zk != nil {
		c.proxies.zooKeeper[id].setCut(isolated)
		t.Logf("kafkatest: brokers cut off %s: %s", c.metadataKeeper(), fmt.Sprint(cut))
		return
	}
	// Each proxy gets a matcher over a copy of the set: the proxy calls it under its own lock.
	match := func(clientID string) bool {
		return slices.ContainsFunc(cut, func(b int32) bool { return brokerToController(b, clientID) })
	}
	for _, real := range slices.Sorted(maps.Keys(c.proxies.controllers)) {
		p := c.proxies.controllers[real]
		if len(cut) == 0 {
			p.Unblock()
		} else {
			p.Block(match)
		}
	}
	t.Logf("kafkatest: brokers cut off %s: %s", c.metadataKeeper(), fmt.Sprint(cut))
}

// metadataKeeper names what a broker registers with, for the log.
func (c *Cluster) metadataKeeper() string {
	if c.zk != nil {
		return "ZooKeeper"
	}
	return "the controllers"
}
