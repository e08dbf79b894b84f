package snapshot

import (
	"cmp"
	"slices"
	"strings"
)

// Listener is one listener a broker advertises, with the security protocol it speaks.
type Listener struct {
	Broker int32 `json:"broker"`
	// Name is the listener name, e.g. "PLAINTEXT", "INTERNAL" or "SASL_SSL".
	Name string `json:"name"`
	// Address is host:port as advertised; the host may be empty (all interfaces).
	Address string `json:"address"`
	// Protocol is PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL; "" when the protocol map
	// does not name the listener.
	Protocol string `json:"protocol"`
}

// Encrypted reports whether the listener wraps its traffic in TLS.
func (l Listener) Encrypted() bool { return l.Protocol == "SSL" || l.Protocol == "SASL_SSL" }

// defaultProtocolMap is Kafka's listener.security.protocol.map default: each protocol is a
// listener name of its own.
var defaultProtocolMap = map[string]string{
	"PLAINTEXT": "PLAINTEXT", "SSL": "SSL", "SASL_PLAINTEXT": "SASL_PLAINTEXT", "SASL_SSL": "SASL_SSL",
}

// AdvertisedListeners returns the listeners every broker advertises, from the
// advertised.listeners (or, when unset, listeners) and listener.security.protocol.map
// configs collected per broker, sorted by broker and name. Brokers whose configs were
// collected without a listener list are returned in unknown: their listeners cannot be
// evaluated.
func (s *Snapshot) AdvertisedListeners() (listeners []Listener, unknown []int32) {
	for _, bc := range s.BrokerConfigs {
		list := bc.Configs["advertised.listeners"].Value
		if list == "" {
			list = bc.Configs["listeners"].Value
		}
		if strings.TrimSpace(list) == "" {
			unknown = append(unknown, bc.Broker)
			continue
		}
		protocols := parseProtocolMap(bc.Configs["listener.security.protocol.map"].Value)
		for _, item := range strings.Split(list, ",") {
			name, addr, ok := strings.Cut(strings.TrimSpace(item), "://")
			if !ok || name == "" {
				continue
			}
			name = strings.ToUpper(name)
			listeners = append(listeners, Listener{Broker: bc.Broker, Name: name, Address: addr, Protocol: protocols[name]})
		}
	}
	slices.SortFunc(listeners, func(a, b Listener) int {
		return cmp.Or(cmp.Compare(a.Broker, b.Broker), cmp.Compare(a.Name, b.Name))
	})
	slices.Sort(unknown)
	return listeners, unknown
}

// parseProtocolMap reads "NAME:PROTOCOL,..." on top of Kafka's default map.
func parseProtocolMap(v string) map[string]string {
	m := map[string]string{}
	for k, p := range defaultProtocolMap {
		m[k] = p
	}
	for _, item := range strings.Split(v, ",") {
		name, proto, ok := strings.Cut(strings.TrimSpace(item), ":")
		if ok && name != "" {
			m[strings.ToUpper(name)] = strings.ToUpper(strings.TrimSpace(proto))
		}
	}
	return m
}

// Authorizer returns the authorizer.class.name the brokers report ("" for none) and whether
// any broker reported it at all. Brokers normally agree; the first non-empty value wins so
// that one misconfigured broker does not hide an authorizer the others run.
func (s *Snapshot) Authorizer() (class string, known bool) {
	for _, bc := range s.BrokerConfigs {
		v, ok := bc.Configs["authorizer.class.name"]
		if !ok {
			continue
		}
		known = true
		if v.Value != "" {
			return v.Value, true
		}
	}
	return "", known
}

// mutatingOperations are the ACL operations that change data or the cluster.
var mutatingOperations = []string{
	"ALL", "WRITE", "CREATE", "DELETE", "ALTER", "ALTER_CONFIGS", "IDEMPOTENT_WRITE", "CLUSTER_ACTION",
}

// AnyonePrincipal reports whether a principal stands for clients that did not prove who
// they are: User:ANONYMOUS (unauthenticated listeners) or the wildcard User:*, which
// matches every principal, anonymous ones included.
func AnyonePrincipal(p string) bool { return p == "User:ANONYMOUS" || p == "User:*" }

// GrantsAnonymousWrite reports whether the entry allows unauthenticated or arbitrary
// clients an operation that changes data or the cluster.
func (a ACL) GrantsAnonymousWrite() bool {
	return a.Permission == "ALLOW" && AnyonePrincipal(a.Principal) && slices.Contains(mutatingOperations, a.Operation)
}
