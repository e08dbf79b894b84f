package kafkatest

import (
	"strings"
	"testing"
)

// testQuorum is the single controller ControllerID listening on port 9999.
func testQuorum() quorum {
	return newQuorum(Options{}.withDefaults(), map[int32]int{ControllerID: 9999})
}

// TestQuorumProperties pins controller.quorum.voters and the listeners of a three-controller
// quorum behind proxies, and that the default stays the single controller 9.
func TestQuorumProperties(t *testing.T) {
	single := (&node{id: 1, broker: true, port: 9000}).properties(Options{}.withDefaults(), testQuorum(), nil)
	if single["controller.quorum.voters"] != "9@127.0.0.1:9999" {
		t.Errorf("default voters %q", single["controller.quorum.voters"])
	}
	if ctrl := (&node{id: 9, port: 9999}).properties(Options{}.withDefaults(), testQuorum(), nil); ctrl["advertised.listeners"] != "" {
		t.Errorf("a controller without a proxy advertises %q", ctrl["advertised.listeners"])
	}

	calls := 0
	o := Options{Controllers: 3, ControllerVia: func(real string) string {
		calls++
		return "proxy-" + strings.TrimPrefix(real, "127.0.0.1:")
	}}.withDefaults()
	if err := o.validate(); err != nil {
		t.Fatal(err)
	}
	q := newQuorum(o, map[int32]int{9: 9001, 10: 9002, 11: 9003})
	if calls != 3 {
		t.Errorf("ControllerVia called %d times, want once per controller", calls)
	}
	broker := (&node{id: 2, broker: true, port: 9000, advertised: "127.0.0.1:5555"}).properties(o, q, nil)
	ctrl := (&node{id: 10, port: 9002}).properties(o, q, nil)
	for _, c := range []struct{ got, want string }{
		{broker["controller.quorum.voters"], "9@proxy-9001,10@proxy-9002,11@proxy-9003"},
		{broker["listeners"], "PLAINTEXT://127.0.0.1:9000"},
		{broker["advertised.listeners"], "PLAINTEXT://127.0.0.1:5555"},
		{ctrl["controller.quorum.voters"], "9@127.0.0.1:9001,10@127.0.0.1:9002,11@127.0.0.1:9003"},
		{ctrl["listeners"], "CONTROLLER://127.0.0.1:9002"},
		{ctrl["advertised.listeners"], "CONTROLLER://proxy-9002"},
		{ctrl["process.roles"], "controller"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestNewOptionsAreValidated: the quorum and proxy options fail before any JVM starts.
func TestNewOptionsAreValidated(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"four controllers", Options{Controllers: 4}, "Controllers 4"},
		{"two kinds of controller proxy", Options{ControllerProxies: true, ControllerVia: func(s string) string { return s }}, "set one"},
		{"proxy for a controller", Options{ProxiedBrokers: []int32{9}}, "not a broker id"},
	} {
		err := c.o.withDefaults().validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if err := (Options{Controllers: 3, ControllerProxies: true, ProxiedBrokers: []int32{1, 3}}).withDefaults().validate(); err != nil {
		t.Errorf("valid options rejected: %v", err)
	}
}
