package collect

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kclients sends the read requests sarama lacks (DescribeQuorum,
// DescribeTopicPartitions) through franz-go, whose kmsg encodings are
// complete and tested. Each address and lane gets one client seeded with
// that address alone, and requests go to that seed directly: a controller
// is not in any broker's metadata, and which broker answers must stay
// known. Lanes keep unrelated requests on separate connections, since
// Kafka answers one request per connection at a time: a broker whose
// forwarded DescribeQuorum waits on a dead quorum still serves
// DescribeTopicPartitions from its own metadata. A client connects on its
// first request, so lanes never used cost nothing. Safe for concurrent use.
type kclients struct {
	opts    []kgo.Opt
	timeout time.Duration

	mu      sync.Mutex
	clients map[string]*kgo.Client
	closed  bool
}

func newKclients(opts []kgo.Opt, timeout time.Duration) *kclients {
	return &kclients{opts: opts, timeout: timeout, clients: map[string]*kgo.Client{}}
}

// client returns the client for addr and lane, creating it on first use.
func (k *kclients) client(addr, lane string) (*kgo.Client, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil, errors.New("collection finished")
	}
	key := lane + " " + addr
	if cl, ok := k.clients[key]; ok {
		return cl, nil
	}
	// kgo never creates topics unless AllowAutoTopicCreation is given and
	// never joins a group unless ConsumerGroup is: neither is. Client
	// metrics (KIP-714) would push telemetry, which is not a read.
	all := append([]kgo.Opt{
		kgo.SeedBrokers(addr),
		kgo.DialTimeout(k.timeout),
		kgo.RequestRetries(0),
		kgo.RetryTimeout(k.timeout),
		kgo.DisableClientMetrics(),
	}, k.opts...)
	cl, err := kgo.NewClient(all...)
	if err != nil {
		return nil, err
	}
	k.clients[key] = cl
	return cl, nil
}

// request sends req to addr on the lane named by the request's API (one
// connection per API and address) under the earlier of ctx's deadline and
// the request timeout, like every sarama request of the collector. Errors
// come back in the collector's terms: a timeout wraps
// context.DeadlineExceeded, a Kafka error code is a sarama.KError, so
// record classifies them alike.
func (k *kclients) request(ctx context.Context, addr string, req kmsg.Request) (kmsg.Response, error) {
	return k.requestOn(ctx, addr, kmsg.NameForKey(req.Key()), req)
}

// requestOn is request on a lane the caller names, for requests of one API
// that must run side by side on one broker (each lane is a connection, and
// Kafka serves one request per connection at a time).
func (k *kclients) requestOn(ctx context.Context, addr, lane string, req kmsg.Request) (kmsg.Response, error) {
	cl, err := k.client(addr, lane)
	if err != nil {
		return nil, err
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	resp, err := cl.SeedBrokers()[0].Request(ctx, req)
	var ke *kerr.Error
	switch {
	case err == nil:
		return resp, nil
	case ctx.Err() != nil:
		return nil, noAnswer(parent, k.timeout)
	case errors.As(err, &ke):
		return nil, sarama.KError(ke.Code)
	}
	return nil, err
}

// closeAll closes every client in the background: closing waits for
// requests in flight, which a hung broker may never answer.
func (k *kclients) closeAll() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.closed = true
	for _, cl := range k.clients {
		go cl.Close()
	}
}

// codeErr is a response error code as an error, nil for 0.
func codeErr(code int16) error {
	if code == 0 {
		return nil
	}
	return sarama.KError(code)
}
