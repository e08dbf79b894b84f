package collect

import (
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/IBM/sarama"
	"github.com/hashicorp/go-multierror"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// hiddenListMax bounds how many hidden topic names one collection error lists.
const hiddenListMax = 10

// diskTopics gathers the topic names the brokers' log dirs hold. With an authorizer,
// Metadata silently leaves out the topics the principal may not DESCRIBE, so the snapshot
// would look complete while missing them; DescribeLogDirs is authorized on the cluster, not
// per topic, and lists every replica on disk. The difference is what this principal cannot
// see. Safe for concurrent use by the per-broker log dir tasks.
type diskTopics struct {
	mu    sync.Mutex
	names map[string]bool
}

// add records the topics of one broker's DescribeLogDirs answer.
func (d *diskTopics) add(resp *sarama.DescribeLogDirsResponse) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.names == nil {
		d.names = map[string]bool{}
	}
	for _, dir := range resp.LogDirs {
		for _, t := range dir.Topics {
			d.names[t.Topic] = true
		}
	}
}

// hidden returns the recorded topics that Metadata did not return, sorted.
func (d *diskTopics) hidden(snap *snapshot.Snapshot) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	seen := map[string]bool{}
	for _, t := range snap.Topics {
		seen[t.Name] = true
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(d.names)) {
		if !seen[name] {
			out = append(out, name)
		}
	}
	return out
}

// reportHidden records one authorization error naming the topics that exist on disk but
// are not visible to this principal, so that every view and the triage say the diagnosis
// is partial instead of silently leaving those topics out. Call it after the log dir tasks.
func (c *collector) reportHidden(d *diskTopics) {
	if class, known := c.snap.Authorizer(); known && class == "" {
		// No authorizer: Metadata hides nothing, and a difference can only be a topic
		// created between the two requests.
		return
	}
	names := d.hidden(c.snap)
	if len(names) == 0 {
		return
	}
	c.errMu.Lock()
	defer c.errMu.Unlock()
	c.errs = multierror.Append(c.errs, &collectErr{snapshot.CollectError{
		Source: snapshot.SourceMetadata, Broker: -1, Kind: snapshot.KindAuthorization, Cause: snapshot.CauseAuthorization,
		Message: hiddenMessage(names),
	}})
}

// hiddenMessage says how many topics are hidden and names the first few. The names are
// ones this principal can already read from DescribeLogDirs, so listing them leaks nothing.
func hiddenMessage(names []string) string {
	return fmt.Sprintf("%s on the brokers' disks but not visible to this principal "+
		"(TOPIC_AUTHORIZATION_FAILED: no DESCRIBE ACL), so not diagnosed: %s",
		words.Plural(len(names), "topic is", "topics are"), words.Sample(names, hiddenListMax))
}
