package sim

import (
	"net"
	"sync"
	"sync/atomic"
)

// gateMode is what a broker's listener does.
type gateMode int

const (
	// gateOpen passes connections and bytes through to kfake.
	gateOpen gateMode = iota
	// gateRefuse closes the socket: connections are refused and live ones
	// dropped, as when the broker process dies.
	gateRefuse
	// gateHang accepts connections but holds every read and write until the
	// gate opens again, as when the broker process is SIGSTOPped.
	gateHang
)

// gate is the net.Listener kfake gets for one broker (through kfake's
// ListenFn option). kfake itself cannot make a broker refuse or ignore
// connections while keeping its partitions, so the gate does it underneath:
// the broker keeps its id, address and data inside kfake, and only its
// network behaviour changes. A drill can later flip the mode back.
type gate struct {
	addr net.Addr // fixed for the gate's life, even while the socket is closed
	// node is the broker id behind the gate, set once kfake has numbered
	// it; tap sees the requests passing through (nil: nobody listens).
	node atomic.Int32
	tap  *tapper

	mu      sync.Mutex
	mode    gateMode
	ln      net.Listener  // nil while refusing
	changed chan struct{} // closed and replaced on every mode change
	conns   map[*gateConn]struct{}
	closed  bool
}

func newGate(address string, tap *tapper) (*gate, error) {
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return nil, err
	}
	return &gate{addr: ln.Addr(), tap: tap, ln: ln, changed: make(chan struct{}), conns: map[*gateConn]struct{}{}}, nil
}

// Addr is the broker's address, also while it refuses connections.
func (g *gate) Addr() net.Addr { return g.addr }

// Accept waits out refusing periods instead of failing, because kfake stops
// serving a broker for good once its Accept returns an error.
func (g *gate) Accept() (net.Conn, error) {
	for {
		g.mu.Lock()
		if g.closed {
			g.mu.Unlock()
			return nil, net.ErrClosed
		}
		ln, changed := g.ln, g.changed
		g.mu.Unlock()
		if ln == nil {
			<-changed
			continue
		}
		conn, err := ln.Accept()
		g.mu.Lock()
		if err != nil {
			ours := g.ln != ln || g.closed // we closed it on purpose
			g.mu.Unlock()
			if ours {
				continue
			}
			return nil, err
		}
		if g.closed || g.mode == gateRefuse {
			g.mu.Unlock()
			conn.Close()
			continue
		}
		gc := &gateConn{Conn: conn, g: g, done: make(chan struct{})}
		if g.tap != nil {
			gc.tap = &connTap{t: g.tap, g: g, id: g.tap.conns.Add(1)}
		}
		g.conns[gc] = struct{}{}
		g.mu.Unlock()
		return gc, nil
	}
}

// Close shuts the gate for good, with every connection through it.
func (g *gate) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	g.dropLocked()
	close(g.changed)
	return nil
}

// setMode switches the broker's network behaviour.
func (g *gate) setMode(m gateMode) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.mode == m {
		return nil
	}
	if m == gateRefuse {
		g.dropLocked()
	} else if g.ln == nil {
		// Reopen on the same port so the broker comes back where clients
		// and the served metadata expect it.
		ln, err := net.Listen("tcp", g.addr.String())
		if err != nil {
			return err
		}
		g.ln = ln
	}
	g.mode = m
	close(g.changed)
	g.changed = make(chan struct{})
	return nil
}

// dropLocked closes the socket and every live connection.
func (g *gate) dropLocked() {
	if g.ln != nil {
		g.ln.Close()
		g.ln = nil
	}
	for c := range g.conns {
		c.Conn.Close()
	}
}

// waitOpen blocks while the gate hangs; it returns early if the connection
// closes, so kfake can always shut down.
func (g *gate) waitOpen(done <-chan struct{}) {
	for {
		g.mu.Lock()
		hung, changed := g.mode == gateHang && !g.closed, g.changed
		g.mu.Unlock()
		if !hung {
			return
		}
		select {
		case <-changed:
		case <-done:
			return
		}
	}
}

// gateConn holds reads and writes while its gate hangs.
type gateConn struct {
	net.Conn
	g        *gate
	tap      *connTap // nil without a tapper
	done     chan struct{}
	doneOnce sync.Once
}

func (c *gateConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.tap != nil {
		// Recorded on arrival, before a hung broker holds them: the
		// team did ask, even if nobody answered.
		c.tap.feed(p[:n])
	}
	// Bytes that arrived while hung are delivered only once the broker
	// "wakes", like a paused process reading its socket buffer.
	c.g.waitOpen(c.done)
	return n, err
}

func (c *gateConn) Write(p []byte) (int, error) {
	c.g.waitOpen(c.done)
	return c.Conn.Write(p)
}

func (c *gateConn) Close() error {
	c.doneOnce.Do(func() { close(c.done) })
	c.g.mu.Lock()
	delete(c.g.conns, c)
	c.g.mu.Unlock()
	return c.Conn.Close()
}

// gateSet records the gates kfake creates, in creation order, which is the
// order kfake numbers its brokers and adds nodes.
type gateSet struct {
	tap   *tapper
	mu    sync.Mutex
	gates []*gate
}

// listen is kfake's ListenFn.
func (s *gateSet) listen(_, address string) (net.Listener, error) {
	g, err := newGate(address, s.tap)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.gates = append(s.gates, g)
	s.mu.Unlock()
	return g, nil
}

// last returns the most recently created gate.
func (s *gateSet) last() *gate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gates[len(s.gates)-1]
}
