package kafkatest

import (
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"
)

// stopTimeout bounds a graceful Stop; a broker's controlled shutdown normally takes about a second.
const stopTimeout = 30 * time.Second

// nodeFor returns node id with mu held; the caller unlocks.
func (c *Cluster) nodeFor(t testing.TB, op string, id int32) *node {
	t.Helper()
	n, ok := c.nodes[id]
	if !ok {
		t.Fatalf("kafkatest: %s(%d): no such node (brokers %v, controllers %v)", op, id, c.BrokerIDs(), c.ControllerIDs())
	}
	c.mu.Lock()
	return n
}

// runningNode is nodeFor for operations that need a live process.
func (c *Cluster) runningNode(t testing.TB, op string, id int32) *node {
	t.Helper()
	n := c.nodeFor(t, op, id)
	if n.proc == nil || n.proc.exited() {
		c.mu.Unlock()
		t.Fatalf("kafkatest: %s(%d): node is not running", op, id)
	}
	return n
}

// Kill sends SIGKILL to node id, as a crash or power loss would, and waits for it to die. With
// the default SessionTimeout the controller fences a killed broker within about 3 seconds. Any
// node id works, a controller's included: with three controllers, losing one keeps the quorum
// and losing two leaves it without a leader.
func (c *Cluster) Kill(t testing.TB, id int32) {
	t.Helper()
	n := c.runningNode(t, "Kill", id)
	defer c.mu.Unlock()
	n.proc.kill()
	n.proc, n.paused = nil, false
}

// Pause sends SIGSTOP to node id: the process keeps its sockets open but answers nothing, like
// a JVM in a long GC pause or a frozen VM. Probes and the data helpers leave paused nodes out.
func (c *Cluster) Pause(t testing.TB, id int32) {
	t.Helper()
	n := c.runningNode(t, "Pause", id)
	defer c.mu.Unlock()
	if err := n.proc.signal(syscall.SIGSTOP); err != nil {
		t.Fatalf("kafkatest: Pause(%d): %v", id, err)
	}
	n.paused = true
}

// Resume sends SIGCONT to a paused node id. It does not wait for the node to catch up.
func (c *Cluster) Resume(t testing.TB, id int32) {
	t.Helper()
	n := c.runningNode(t, "Resume", id)
	defer c.mu.Unlock()
	if err := n.proc.signal(syscall.SIGCONT); err != nil {
		t.Fatalf("kafkatest: Resume(%d): %v", id, err)
	}
	n.paused = false
}

// Stop shuts node id down gracefully (SIGTERM: a broker's controlled shutdown moves its
// leaderships away first) and waits for it to exit. It fails the test, after a SIGKILL, if the
// node takes longer than 30 seconds.
func (c *Cluster) Stop(t testing.TB, id int32) {
	t.Helper()
	n := c.runningNode(t, "Stop", id)
	p := n.proc
	n.proc, n.paused = nil, false
	_ = p.signal(syscall.SIGCONT) // a stopped JVM cannot handle SIGTERM
	err := p.signal(syscall.SIGTERM)
	c.mu.Unlock() // probes from other goroutines must not wait for the shutdown
	if err != nil {
		p.kill()
		t.Fatalf("kafkatest: Stop(%d): %v", id, err)
	}
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		p.kill()
		t.Errorf("kafkatest: Stop(%d): no exit within %s after SIGTERM; killed it\n%s", id, stopTimeout, tail(n.logPath, tailLines))
	}
}

// Restart starts node id again with the same storage, configuration and port, killing it first
// if it is still running, and waits (up to Options.StartTimeout) until every running, unpaused
// broker answers Metadata listing every running, unpaused broker, and every running, unpaused
// controller answers naming a running, unpaused quorum leader.
func (c *Cluster) Restart(t testing.TB, id int32) {
	t.Helper()
	n := c.nodeFor(t, "Restart", id)
	if n.proc != nil {
		n.proc.kill()
		n.proc = nil
	}
	err := c.launch(n)
	c.mu.Unlock()
	if err != nil {
		t.Fatalf("kafkatest: Restart(%d): %v", id, err)
	}
	began := time.Now()
	if err := c.waitSettled(c.opts.StartTimeout); err != nil {
		t.Fatalf("kafkatest: Restart(%d): not ready after %s: %v\n%s", id, time.Since(began).Round(time.Millisecond), err, c.tails())
	}
	t.Logf("kafkatest: node %d back in %s", id, time.Since(began).Round(time.Millisecond))
}

// liveBrokers are the brokers expected to answer and to follow the cluster metadata (live).
func (c *Cluster) liveBrokers() []int32 { return c.live(c.BrokerIDs()) }

// liveControllers are the controllers expected to answer (live).
func (c *Cluster) liveControllers() []int32 { return c.live(c.ControllerIDs()) }

// live keeps the nodes among ids that are started, not stopped, not paused, and not isolated
// from the controllers (only a broker can be).
func (c *Cluster) live(ids []int32) []int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int32
	for _, id := range ids {
		if n := c.nodes[id]; n.proc != nil && !n.paused && !n.isolated {
			out = append(out, id)
		}
	}
	return out
}

// crashed reports a node that exited although nobody killed or stopped it: waiting for it is
// pointless, and its log says why.
func (c *Cluster) crashed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range c.ids() {
		if p := c.nodes[id].proc; p != nil && p.exited() {
			return fmt.Errorf("node %d exited unexpectedly: %v", id, p.err)
		}
	}
	return nil
}

func (c *Cluster) waitSettled(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if err := c.crashed(); err != nil {
			return err
		}
		err := c.settled()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// settled checks what tests rely on after Start or Restart: every live controller answers
// and names a live quorum leader, and every live broker is registered and unfenced in every
// live broker's view (Metadata lists only unfenced brokers).
func (c *Cluster) settled() error {
	controllers := c.liveControllers()
	for _, id := range controllers {
		leader, err := c.quorumLeader(id)
		if err != nil {
			return fmt.Errorf("controller %d: %w", id, err)
		}
		if !slices.Contains(controllers, leader) {
			return fmt.Errorf("controller %d knows no live quorum leader (leader %d, live controllers %v)", id, leader, controllers)
		}
	}
	live := c.liveBrokers()
	for _, id := range live {
		md, err := c.BrokerMetadata(id)
		if err != nil {
			return fmt.Errorf("broker %d: %w", id, err)
		}
		// In ZooKeeper mode a broker learns the controller from ZooKeeper: until it names a live
		// one, partition changes (a topic created next) have nobody to carry them out.
		if c.zk != nil && !slices.Contains(live, md.ControllerID) {
			return fmt.Errorf("broker %d names controller %d, not a live broker %v", id, md.ControllerID, live)
		}
		var listed []int32
		for _, b := range md.Brokers {
			listed = append(listed, b.ID())
		}
		for _, want := range live {
			if !slices.Contains(listed, want) {
				slices.Sort(listed)
				return fmt.Errorf("broker %d lists brokers %v, waiting for %d", id, listed, want)
			}
		}
	}
	return nil
}
