package collect

import (
	"testing"

	"github.com/IBM/sarama"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TestNotAskedAfterATimeoutIsATimeout: a request a hung broker was not
// sent, because an earlier one timed out, is reported as that timeout, not
// as sarama's "not connected" (kind other) that reads as a network fault.
func TestNotAskedAfterATimeoutIsATimeout(t *testing.T) {
	f := classify(errEarlierTimeout)
	if f.kind != snapshot.KindTimeout || f.cause != snapshot.CauseTimeout {
		t.Errorf("classify(errEarlierTimeout) = %+v, want kind timeout, cause timeout", f)
	}
	cn := &conn{broken: true}
	_, err := request(t.Context(), 0, cn, func(*sarama.Broker) (int, error) { panic("sent to a broken connection") })
	if err != errEarlierTimeout {
		t.Errorf("request on a broken connection = %v, want errEarlierTimeout", err)
	}
}
