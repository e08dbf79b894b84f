package integration

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// timeout is the --timeout the bounded-time tests give every command; the
// slack covers process work after the deadline (rendering, cleanup).
const (
	timeout = 6 * time.Second
	slack   = 1500 * time.Millisecond
)

// everyCommand lists each command once; runbooks run one step, since
// --timeout bounds each step of a walk.
func everyCommand(dir string) [][]string {
	return [][]string{
		{"describe", "brokers"}, {"describe", "topics"}, {"describe", "partitions"}, {"describe", "groups"},
		{"describe", "logdirs"}, {"describe", "configs"}, {"triage"}, {"snapshot", "-f", dir + "/s.json"},
		{"run", "broker-failure", "--step", "1"}, {"run", "isr-shrinkage", "--step", "3"},
		{"run", "zombie-leader", "--step", "3"}, {"run", "data-recovery", "--step", "1"},
	}
}

// bounded runs args with --timeout and checks the deadline held.
func bounded(t *testing.T, bootstrapList string, args []string) result {
	t.Helper()
	r := runCLI(t, append(args, "-b", bootstrapList, "--timeout", timeout.String(), "-o", "json")...)
	if r.elapsed > timeout+slack {
		t.Errorf("%v took %s, deadline %s", args, r.elapsed.Round(time.Millisecond), timeout)
	}
	return r
}

// TestEveryCommandIsBoundedWithOneBrokerHung: with one broker SIGSTOPped
// (it accepts TCP and never answers; a long session timeout keeps it
// registered), every command answers within --timeout, shows the brokers
// that answered and names the hung one.
func TestEveryCommandIsBoundedWithOneBrokerHung(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{SessionTimeout: 60 * time.Second})
	seed(t, c)
	c.Pause(t, 2)
	defer c.Resume(t, 2)
	everyCommandAnswers(t, c, "timeout")
}

// TestEveryCommandIsBoundedWithOneBrokerKilled: the same with one broker
// SIGKILLed and fenced.
func TestEveryCommandIsBoundedWithOneBrokerKilled(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{})
	seed(t, c)
	c.Kill(t, 2)
	everyCommandAnswers(t, c, "refused")
}

func seed(t *testing.T, c *kafkatest.Cluster) {
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	c.Produce(t, "orders", 0, 10)
	c.CommitOffset(t, "billing", "orders", 0, 5)
}

func everyCommandAnswers(t *testing.T, c *kafkatest.Cluster, why string) {
	t.Helper()
	for _, args := range everyCommand(t.TempDir()) {
		r := bounded(t, bootstrap(c), args)
		t.Logf("%-32s %6s exit %d", strings.Join(args[:min(len(args), 3)], " "), r.elapsed.Round(time.Millisecond), r.code)
		if r.code == 3 {
			t.Errorf("%v: could not evaluate with two brokers up: %s", args, r.stderr)
		}
	}
	r := bounded(t, bootstrap(c), []string{"describe", "brokers"})
	for _, want := range []string{`"id": 1`, `"id": 3`, `"probe": "ok"`, `"probe": "` + why + `"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("describe brokers lacks %s:\n%s", want, r.stdout)
		}
	}
}

// TestNothingAnswersGivesExit3WithinTheDeadline: all brokers hung, the
// bootstrap address refusing, and a listener that accepts and never reads.
func TestNothingAnswersGivesExit3WithinTheDeadline(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{SessionTimeout: 60 * time.Second})
	refusing := closedAddr(t)
	silent := silentAddr(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name      string
		bootstrap string
		setup     func() func()
		want      string
	}{
		{"all brokers hung", bootstrap(c), func() func() {
			for _, id := range c.BrokerIDs() {
				c.Pause(t, id)
			}
			return func() {
				for _, id := range c.BrokerIDs() {
					c.Resume(t, id)
				}
			}
		}, "timeout"},
		{"bootstrap refusing", refusing, func() func() { return func() {} }, "refused"},
		{"listener that never reads", silent, func() func() { return func() {} }, "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			undo := tc.setup()
			defer undo()
			for _, args := range [][]string{{"describe", "brokers"}, {"triage"}, {"run", "broker-failure", "--step", "1"}, {"snapshot", "-f", dir + "/s.json"}} {
				r := bounded(t, tc.bootstrap, args)
				t.Logf("%-24s %6s exit %d", strings.Join(args[:min(len(args), 2)], " "), r.elapsed.Round(time.Millisecond), r.code)
				if r.code != 3 {
					t.Errorf("%v: exit %d, want 3", args, r.code)
				}
				if !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "Hint:") {
					t.Errorf("%v: stderr does not say %q with a hint:\n%s", args, tc.want, r.stderr)
				}
			}
		})
	}
}

func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func silentAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var held []net.Conn
		for {
			conn, err := l.Accept()
			if err != nil {
				for _, h := range held {
					h.Close()
				}
				close(done)
				return
			}
			held = append(held, conn)
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return l.Addr().String()
}
