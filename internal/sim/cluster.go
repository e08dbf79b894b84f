package sim

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Cluster is a running simulated cluster. Every broker of the scenario has
// its own listener on 127.0.0.1 and answers as that broker id.
type Cluster struct {
	sc    *Scenario
	kc    *kfake.Cluster
	gates map[int32]*gate
	tap   *tapper
	// api is the ApiVersions answer, kfake's with DescribeQuorum added.
	api *apiVersions
	// states are the starting state and the state after each inject.
	states []*Scenario
	// world is what the rewritten responses are built from; it is swapped
	// whole, never edited, so controls need no lock. mu serialises the
	// writers (injects) only.
	world atomic.Pointer[world]
	mu    sync.Mutex
}

// Start validates the scenario and serves it. ctx bounds the startup only;
// the cluster runs until Close. Start takes a few tens of milliseconds for
// the demo scenario, most of it producing the seeded records.
func Start(ctx context.Context, sc *Scenario) (*Cluster, error) {
	if sc == nil {
		return nil, fmt.Errorf("sim: no scenario")
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	states, problems := sc.states()
	if len(problems) > 0 {
		return nil, &ValidationError{Source: sc.source, Problems: problems}
	}
	w := newWorld(states[0], time.Now())
	tap := &tapper{}
	gs := &gateSet{tap: tap}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ListenFn(gs.listen),
		kfake.ClusterID(w.clusterID),
	}
	// Topics are made at creation, while kfake has its one first node:
	// CreateTopics is accepted only by kfake's controller, that node, which
	// goes away when the scenario has no broker 0.
	for _, t := range w.topics {
		opts = append(opts, kfake.SeedTopics(int32(len(t.parts)), t.name))
	}
	kc, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("sim: starting kfake: %w", err)
	}
	c := &Cluster{sc: sc, kc: kc, gates: map[int32]*gate{0: gs.last()}, tap: tap, states: states}
	if err := c.start(ctx, w, gs); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context, w *world, gs *gateSet) error {
	if err := c.seed(ctx, w, c.gates[0].Addr().String()); err != nil {
		return err
	}
	// kfake numbers its first broker 0; every other scenario broker is
	// added under its own id so no response needs its ids rewritten.
	for _, b := range w.brokers {
		if b.id == 0 {
			continue
		}
		if _, _, err := c.kc.AddNode(b.id, 0); err != nil {
			return fmt.Errorf("sim: adding broker %d: %w", b.id, err)
		}
		c.gates[b.id] = gs.last()
	}
	if w.byID[0] == nil {
		if err := c.kc.RemoveNode(0); err != nil {
			return fmt.Errorf("sim: removing kfake's bootstrap node: %w", err)
		}
		delete(c.gates, 0)
	}
	for _, b := range w.brokers {
		host, port, err := net.SplitHostPort(c.gates[b.id].Addr().String())
		if err != nil {
			return err
		}
		p, _ := strconv.Atoi(port)
		b.host, b.port = host, int32(p)
	}
	if err := c.placeLeaders(w); err != nil {
		return err
	}
	if err := c.placeCoordinators(w); err != nil {
		return err
	}
	for id, g := range c.gates {
		g.node.Store(id)
	}
	c.world.Store(w)
	c.installControls()
	return c.setGates(w)
}

// gateModeFor is the network behaviour of a broker state.
func gateModeFor(s BrokerState) gateMode {
	switch s {
	case StateDown, StateUnreachable:
		return gateRefuse
	case StateHung:
		return gateHang
	}
	return gateOpen
}

// setGates makes every broker's listener behave as its state says.
func (c *Cluster) setGates(w *world) error {
	for _, b := range w.brokers {
		if err := c.gates[b.id].setMode(gateModeFor(b.state)); err != nil {
			return fmt.Errorf("sim: broker %d: %w", b.id, err)
		}
	}
	return nil
}

// Bootstrap returns the addresses of the brokers that answer requests (up
// and fenced ones), sorted by broker id: what a user would put in
// bootstrap.servers after dropping the hosts known to be gone.
func (c *Cluster) Bootstrap() []string {
	var out []string
	for _, b := range c.world.Load().brokers {
		if b.state == StateUp || b.state == StateFenced {
			out = append(out, net.JoinHostPort(b.host, strconv.Itoa(int(b.port))))
		}
	}
	return out
}

// Addr returns the address of broker id whatever its state; a down
// broker's address refuses connections and a hung one's never answers.
func (c *Cluster) Addr(id int32) (string, bool) {
	b := c.world.Load().byID[id]
	if b == nil {
		return "", false
	}
	return net.JoinHostPort(b.host, strconv.Itoa(int(b.port))), true
}

// BrokerIDs returns every broker id of the scenario, sorted.
func (c *Cluster) BrokerIDs() []int32 {
	var ids []int32
	for _, b := range c.world.Load().brokers {
		ids = append(ids, b.id)
	}
	return slices.Clip(ids)
}

// Scenario returns the scenario being served.
func (c *Cluster) Scenario() *Scenario { return c.sc }

// ClusterID is the cluster id every response carries.
func (c *Cluster) ClusterID() string {
	if w := c.world.Load(); w != nil {
		return w.clusterID
	}
	return ""
}

// Close stops every broker and frees its port. It is safe to call twice.
func (c *Cluster) Close() {
	c.kc.Close()
	// kfake closes the listeners it was given, but a gate that was
	// refusing when kfake stopped has no socket to close; closing every
	// gate again also drops connections kfake left to its goroutines.
	for _, g := range c.gates {
		g.Close()
	}
}
