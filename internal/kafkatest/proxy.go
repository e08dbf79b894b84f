package kafkatest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
)

// Request is one Kafka request seen by a Proxy.
type Request struct {
	APIKey     int16
	APIVersion int16
	ClientID   string
	// Hung says the proxy swallowed the request (Proxy.Hang): never forwarded, never answered.
	Hung bool
}

// Proxy forwards Kafka connections from a loopback port to a target and
// reads the header of every request on the way: it records which APIs were
// sent (to prove a tool only reads), can cut the connections of chosen
// clients (to isolate one broker from the controller), and can leave chosen
// APIs unanswered (a broker that answers Metadata but hangs on the rest).
type Proxy struct {
	listener net.Listener
	target   string
	// ready is closed once target is known; connections wait for it.
	ready chan struct{}

	mu       sync.Mutex
	block    func(clientID string) bool
	hang     func(apiKey int16) bool
	conns    map[*proxied]bool
	requests []Request
}

type proxied struct {
	in, out  net.Conn
	clientID string
	// stuck: the connection swallowed a request and forwards nothing more (guarded by Proxy.mu).
	stuck bool
}

// maxFrame bounds a request the proxy will forward; Kafka's default
// socket.request.max.bytes is 100 MiB.
const maxFrame = 100 << 20

// NewProxy listens on a free loopback port and forwards to target. It is
// closed when the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		t.Fatalf("kafkatest: proxy: %v", err)
	}
	p := &Proxy{listener: l, target: target, conns: map[*proxied]bool{}, ready: make(chan struct{})}
	if target != "" {
		close(p.ready)
	}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// SetTarget sets the target of a proxy created with an empty one. A test
// needs the proxy's address before the broker behind it has a port (to put
// it in the broker's advertised.listeners); connections made before
// SetTarget wait for it.
func (p *Proxy) SetTarget(target string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.target == "" {
		p.target = target
		close(p.ready)
	}
}

// Addr is the address to connect to instead of the target.
func (p *Proxy) Addr() string { return p.listener.Addr().String() }

// Block closes every connection whose client id matches, and every new
// one as soon as its first request names a matching client.
func (p *Proxy) Block(match func(clientID string) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.block = match
	for c := range p.conns {
		if c.clientID != "" && match(c.clientID) {
			c.close()
			delete(p.conns, c)
		}
	}
}

// Hang makes the proxy swallow every request whose API key matches: it reads the request,
// records it with Hung set, and neither forwards nor answers it, keeping the connection open,
// as a broker stuck on that request would. Kafka answers a connection's requests in order, so
// the connection stays stuck: later requests on it are swallowed too, and the client sees
// only its own timeout. Other connections, on which the client sends only APIs that do not
// match, are answered as usual. Hang(nil) stops hanging new requests and closes the stuck
// connections, so that their clients reconnect.
func (p *Proxy) Hang(match func(apiKey int16) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hang = match
	if match != nil {
		return
	}
	for c := range p.conns {
		if c.stuck {
			c.close()
			delete(p.conns, c)
		}
	}
}

// HangAPIs is a Hang matcher for a fixed set of API keys, e.g. HangAPIs(32, 35, 9) for
// DescribeConfigs, DescribeLogDirs and OffsetFetch.
func HangAPIs(keys ...int16) func(apiKey int16) bool {
	return func(k int16) bool { return slices.Contains(keys, k) }
}

// Unblock lets every client through again.
func (p *Proxy) Unblock() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.block = nil
}

// Requests returns every request header seen so far.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

func (p *Proxy) close() {
	p.listener.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.close()
	}
}

func (c *proxied) close() {
	c.in.Close()
	c.out.Close()
}

func (p *Proxy) serve() {
	for {
		in, err := p.listener.Accept()
		if err != nil {
			return
		}
		<-p.ready
		p.mu.Lock()
		target := p.target
		p.mu.Unlock()
		out, err := net.Dial("tcp", target)
		if err != nil {
			in.Close()
			continue
		}
		c := &proxied{in: in, out: out}
		p.mu.Lock()
		p.conns[c] = true
		p.mu.Unlock()
		go p.requestsOf(c)
		go func() {
			_, _ = io.Copy(in, out)
			c.close()
		}()
	}
}

// requestsOf forwards client-to-server frames one at a time, reading each
// request header.
func (p *Proxy) requestsOf(c *proxied) {
	defer func() {
		c.close()
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	r := bufio.NewReader(c.in)
	for {
		var size int32
		if err := binary.Read(r, binary.BigEndian, &size); err != nil {
			return
		}
		if size < 8 || size > maxFrame {
			return
		}
		frame := make([]byte, size)
		if _, err := io.ReadFull(r, frame); err != nil {
			return
		}
		req, err := parseHeader(frame)
		if err != nil {
			return
		}
		p.mu.Lock()
		c.clientID = req.ClientID
		c.stuck = c.stuck || p.hang != nil && p.hang(req.APIKey)
		req.Hung = c.stuck
		p.requests = append(p.requests, req)
		blocked := p.block != nil && p.block(req.ClientID)
		p.mu.Unlock()
		if blocked {
			return
		}
		if req.Hung {
			continue
		}
		if err := binary.Write(c.out, binary.BigEndian, size); err != nil {
			return
		}
		if _, err := c.out.Write(frame); err != nil {
			return
		}
	}
}

// parseHeader reads api key, version and client id. Request headers v1
// and v2 both carry the client id as a nullable int16-length string right
// after the correlation id.
func parseHeader(frame []byte) (Request, error) {
	if len(frame) < 10 {
		return Request{}, fmt.Errorf("short request header")
	}
	req := Request{
		APIKey:     int16(binary.BigEndian.Uint16(frame[0:2])),
		APIVersion: int16(binary.BigEndian.Uint16(frame[2:4])),
	}
	n := int16(binary.BigEndian.Uint16(frame[8:10]))
	if n > 0 && int(n) <= len(frame)-10 {
		req.ClientID = string(frame[10 : 10+int(n)])
	}
	return req, nil
}
