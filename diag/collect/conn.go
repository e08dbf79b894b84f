package collect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// DefaultConnectionsPerBroker bounds the connections to one broker. A
// sarama Broker sends one request at a time and Kafka serves one request per
// connection at a time, so requests to the same broker overlap only on
// separate connections: with three, its log dirs, its own metadata view and
// the offsets and groups it answers for are read side by side instead of
// queueing behind each other.
const DefaultConnectionsPerBroker = 3

// conn is one probed broker address and its connections (lanes). It is
// created once per address and shared by every request to that broker. The
// probe opens the first lane; requests open more, up to maxLanes, only while
// every open lane is busy. The first request that times out closes them all,
// so a hung broker costs one deadline, not one per request.
type conn struct {
	addr  string
	ready chan struct{} // closed when the probe finished
	// Fields below are written before ready is closed and read after.
	broker   *sarama.Broker // the probe's lane
	probe    snapshot.Probe
	err      error // why the probe failed, nil when it answered
	versions []snapshot.APIVersion
	features finalized              // the cluster features this node reported
	chain    []snapshot.Certificate // the TLS certificates it served, leaf first

	cfg        *sarama.Config
	reqTimeout time.Duration
	maxLanes   int
	idle       chan *sarama.Broker // lanes free for a request
	mu         sync.Mutex
	lanes      []*sarama.Broker // every lane opened, or being opened
	broken     bool             // a request timed out: lanes are closed
}

// wait blocks until the probe finished or ctx ends.
func (c *conn) wait(ctx context.Context) bool {
	select {
	case <-c.ready:
		return c.probe.Answered()
	case <-ctx.Done():
		return false
	}
}

// pool hands out one probed conn, with its lanes, per address.
type pool struct {
	// software is the ClientSoftwareVersion sent in ApiVersions.
	software   string
	cfg        *sarama.Config
	reqTimeout time.Duration
	lanes      int // connections per broker
	mu         sync.Mutex
	conns      map[string]*conn
}

func newPool(cfg *sarama.Config, reqTimeout time.Duration, lanes int) *pool {
	if lanes <= 0 {
		lanes = DefaultConnectionsPerBroker
	}
	return &pool{cfg: cfg, reqTimeout: reqTimeout, lanes: lanes, conns: map[string]*conn{}, software: unknownSoftware}
}

// unknownSoftware is the ClientSoftwareVersion sent when none is known.
const unknownSoftware = "unknown"

// announcing sets the version the pool's connections announce, made
// acceptable to brokers (KIP-511: letters, digits, '.', '-', starting and
// ending with a letter or digit).
func (p *pool) announcing(version string) *pool {
	v := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, version)
	if v = strings.Trim(v, ".-"); v != "" {
		p.software = v
	}
	return p
}

// get returns the connection to addr, starting its probe on first use.
func (p *pool) get(ctx context.Context, addr string) *conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.conns[addr]; ok {
		return c
	}
	c := &conn{addr: addr, ready: make(chan struct{}), cfg: p.cfg, reqTimeout: p.reqTimeout, maxLanes: p.lanes, idle: make(chan *sarama.Broker, p.lanes)}
	p.conns[addr] = c
	go p.probe(ctx, c)
	return c
}

// probe opens the connection (TCP, TLS, ApiVersions, SASL) and records the
// broker's API versions, all under one deadline.
func (p *pool) probe(ctx context.Context, c *conn) {
	defer close(c.ready)
	start := time.Now()
	b := sarama.NewBroker(c.addr)
	resp, err := call(ctx, p.reqTimeout, b, func() (*sarama.ApiVersionsResponse, error) {
		if err := b.Open(p.cfg); err != nil {
			return nil, err
		}
		if ok, err := b.Connected(); !ok {
			if err == nil {
				err = errors.New("connection closed")
			}
			return nil, err
		}
		// sarama negotiated versions during Open but keeps them private;
		// ask again to record them. A broker that will not say is still up.
		v, err := b.ApiVersions(&sarama.ApiVersionsRequest{Version: 3, ClientSoftwareName: "kafka-runbook", ClientSoftwareVersion: p.software})
		if errors.Is(err, sarama.ErrUnsupportedVersion) {
			return &sarama.ApiVersionsResponse{}, nil
		}
		return v, err
	})
	c.probe.LatencyMS = time.Since(start).Milliseconds()
	c.chain = servedChain(b, err)
	if err == nil && resp.ErrorCode != 0 {
		err = sarama.KError(resp.ErrorCode)
	}
	if err != nil {
		c.err = err
		f := classify(err)
		c.probe.Status, c.probe.Cause = f.status(), f.cause
		c.probe.Error = describeConnErr(p.cfg, f.kind, err)
		return
	}
	c.broker = b
	c.lanes = append(c.lanes, b)
	c.idle <- b
	c.probe.Status = snapshot.StatusOK
	c.features = finalizedOf(resp)
	for _, k := range resp.ApiKeys {
		c.versions = append(c.versions, snapshot.APIVersion{Key: k.ApiKey, Name: apiName(k.ApiKey), Min: k.MinVersion, Max: k.MaxVersion})
	}
}

// closeAll closes every connection. Closing a broker whose Open is still
// blocked on a hung peer would block too, so it happens in the background.
func (p *pool) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		go func() {
			<-c.ready
			c.closeLanes()
		}()
	}
}

// closeLanes closes every lane in the background: Close waits for a request
// in flight on that lane to end.
func (c *conn) closeLanes() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.lanes {
		go func() { _ = b.Close() }()
	}
}

// acquire takes a free lane, opening a new one when all are busy and fewer
// than maxLanes exist, else waiting for one to be released. After a timeout
// it hands out the closed probe lane, on which a request fails at once.
func (c *conn) acquire(ctx context.Context) *sarama.Broker {
	select {
	case b := <-c.idle:
		return b
	default:
	}
	c.mu.Lock()
	switch {
	case c.broken:
		c.mu.Unlock()
		return c.broker
	case len(c.lanes) < c.maxLanes:
		b := sarama.NewBroker(c.addr)
		c.lanes = append(c.lanes, b)
		c.mu.Unlock()
		// Opened under the request deadline, like any request: a broker
		// that stopped answering since the probe costs one deadline here.
		_, err := call(ctx, c.reqTimeout, b, func() (bool, error) {
			if err := b.Open(c.cfg); err != nil {
				return false, err
			}
			return b.Connected()
		})
		if err == nil {
			return b
		}
		// This lane is lost; the request waits for an open one, which
		// is closed already if opening this one timed out.
		c.fail(err)
	default:
		c.mu.Unlock()
	}
	select {
	case b := <-c.idle:
		return b
	case <-ctx.Done():
		return c.broker
	}
}

// release returns a lane after a request; a timed-out request breaks the
// connection to the broker for every later request.
func (c *conn) release(b *sarama.Broker, err error) {
	c.fail(err)
	select {
	case c.idle <- b:
	default: // the probe lane handed out after a timeout, already counted
	}
}

// fail closes every lane after the first timeout.
func (c *conn) fail(err error) {
	if !errors.Is(err, context.DeadlineExceeded) {
		return
	}
	c.mu.Lock()
	first := !c.broken
	c.broken = true
	c.mu.Unlock()
	if first {
		c.closeLanes()
	}
}

// request runs one request on a lane of cn under the earlier of ctx's
// deadline and timeout (see call).
func request[T any](ctx context.Context, timeout time.Duration, cn *conn, fn func(b *sarama.Broker) (T, error)) (T, error) {
	if cn.isBroken() {
		// Not sent: say why in the words of the first failure, not
		// sarama's "not connected", so nobody chases a network problem.
		var zero T
		return zero, errEarlierTimeout
	}
	b := cn.acquire(ctx)
	v, err := call(ctx, timeout, b, func() (T, error) { return fn(b) })
	if err != nil && cn.isBroken() && !errors.Is(err, context.DeadlineExceeded) {
		err = errEarlierTimeout // the lane was closed under it by another request's timeout
	}
	cn.release(b, err)
	return v, err
}

// errEarlierTimeout is why a request to a broker was not sent, or failed
// on a closed connection: an earlier request to it timed out in this
// collection, and a hung broker costs one deadline, not one per request.
var errEarlierTimeout error = earlierTimeout{}

// earlierTimeout says in words why a request was not sent; it is still
// context.DeadlineExceeded to errors.Is, without Go's wording in the text.
type earlierTimeout struct{}

func (earlierTimeout) Error() string {
	return "not asked: an earlier request to this broker got no answer in time"
}

func (earlierTimeout) Unwrap() error { return context.DeadlineExceeded }

// isBroken reports whether a request to the broker timed out already.
func (c *conn) isBroken() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.broken
}

// call runs one blocking sarama request under the earlier of ctx's deadline
// and timeout. sarama takes no context, so on expiry the request is
// abandoned and the connection closed in the background; the goroutine ends
// by itself once sarama's own read timeout fires.
func call[T any](parent context.Context, timeout time.Duration, b *sarama.Broker, fn func() (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		go func() { _ = b.Close() }()
		var zero T
		return zero, noAnswer(parent, timeout)
	}
}

// NoAnswerError is a request the broker did not answer in time. It says
// which limit ran out, in words: the request's own (a share of --timeout,
// so one hung broker cannot use up the command), or the command's whole
// --timeout. It wraps context.DeadlineExceeded.
type NoAnswerError struct {
	// Limit is the request's own bound (RequestTimeout).
	Limit time.Duration
	// Command is the command's whole --timeout, 0 when not known (a
	// collection not started through Live).
	Command time.Duration
	// CommandDeadline is true when the command's deadline, not the
	// request's own bound, ran out first.
	CommandDeadline bool
}

func (e *NoAnswerError) Error() string {
	total := "--timeout"
	if e.Command > 0 {
		total = "--timeout " + e.Command.String()
	}
	if e.CommandDeadline {
		return "no answer before the command's " + total + " ran out"
	}
	return fmt.Sprintf("no answer within %s, the most one request may take: a third of %s, between 0.5s and 5s",
		e.Limit.Round(100*time.Millisecond), total)
}

func (e *NoAnswerError) Unwrap() error { return context.DeadlineExceeded }

// noAnswer is the error of a request abandoned after limit, or when
// parent (the command's context) ended first.
func noAnswer(parent context.Context, limit time.Duration) error {
	total, _ := parent.Value(commandTimeoutKey{}).(time.Duration)
	return &NoAnswerError{Limit: limit, Command: total, CommandDeadline: parent.Err() != nil}
}

// commandTimeoutKey carries the command's --timeout in the context of its
// requests, only so that one without an answer can name it.
type commandTimeoutKey struct{}

func withCommandTimeout(ctx context.Context, total time.Duration) context.Context {
	return context.WithValue(ctx, commandTimeoutKey{}, total)
}

// describeConnErr renders a failure to connect as one line. An authentication failure names
// the mechanism and the user (never the password), because "authentication failed" alone
// does not say which of the settings to check; the broker's own reason follows.
func describeConnErr(cfg *sarama.Config, kind string, err error) string {
	if kind != snapshot.KindAuth || cfg == nil || !cfg.Net.SASL.Enable {
		return describeErr(err)
	}
	login := fmt.Sprintf("SASL/%s login as %q", cfg.Net.SASL.Mechanism, cfg.Net.SASL.User)
	switch {
	case errors.Is(err, sarama.ErrIllegalSASLState):
		return login + " refused: ILLEGAL_SASL_STATE (this listener does not take SASL)"
	case errors.Is(err, sarama.ErrUnsupportedSASLMechanism):
		return login + " refused: UNSUPPORTED_SASL_MECHANISM (this listener does not enable " + string(cfg.Net.SASL.Mechanism) + ")"
	}
	// sarama prefixes the broker's message with its own name for error 58; keep the
	// broker's words, which say why (e.g. "Invalid username or password").
	reason := strings.TrimPrefix(describeErr(err), sarama.ErrSASLAuthenticationFailed.Error()+": ")
	return login + " failed: " + reason
}

// describeErr renders an error as one line. Kafka error codes are named as
// Kafka names them, so users can search for them.
func describeErr(err error) string {
	var k sarama.KError
	if errors.As(err, &k) {
		return errorName(k)
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// errorName is Kafka's own name for an error code, e.g. LEADER_NOT_AVAILABLE.
func errorName(k sarama.KError) string {
	if k == sarama.ErrNoError {
		return ""
	}
	if e := kerr.ErrorForCode(int16(k)); e != nil {
		var ke *kerr.Error
		if errors.As(e, &ke) {
			return ke.Message
		}
		return e.Error()
	}
	return fmt.Sprintf("ERROR_CODE_%d", int16(k))
}

// apiName is Kafka's name for an API key, e.g. "Metadata".
func apiName(key int16) string { return kmsg.NameForKey(key) }
