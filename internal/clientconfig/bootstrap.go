package clientconfig

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// ParseBootstrap parses a bootstrap server list the way users copy it from
// Kafka tools and broker configs: "host:port,host:port", "[::1]:9092",
// optionally with listener prefixes such as "SASL_SSL://host:9093".
//
// Listener prefixes are stripped and ignored: listener names are arbitrary
// ("INTERNAL://"), so they cannot be trusted to say which security protocol
// to use; security.protocol does that. Entries are trimmed, empty entries
// (a trailing comma) are skipped, and duplicates are dropped keeping the
// first occurrence, so the order the user gave is the order brokers are tried.
//
// Errors are *ConfigError without Key or Source; Load fills those in.
func ParseBootstrap(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, raw := range strings.Split(s, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		addr, err := parseBootstrapEntry(entry)
		if err != nil {
			return nil, err
		}
		// DNS names are case-insensitive, so "Kafka-1:9092" and
		// "kafka-1:9092" are the same seed.
		if k := strings.ToLower(addr); !seen[k] {
			seen[k] = true
			out = append(out, addr)
		}
	}
	if len(out) == 0 {
		return nil, &ConfigError{
			Problem: "no bootstrap servers given",
			Hint:    "use host:port[,host:port...], e.g. localhost:9092",
		}
	}
	return out, nil
}

// parseBootstrapEntry validates one trimmed, non-empty entry and returns it
// as host:port (IPv6 hosts in brackets, port without leading zeros).
func parseBootstrapEntry(entry string) (string, error) {
	rest := entry
	if i := strings.Index(rest, "://"); i >= 0 {
		if !isListenerName(rest[:i]) {
			return "", bootstrapErr(entry, "has an unexpected scheme",
				"use host:port or LISTENER://host:port, e.g. SASL_SSL://kafka-1:9093")
		}
		rest = rest[i+3:]
	}
	host, port, err := splitHostPort(entry, rest)
	if err != nil {
		return "", err
	}
	n, perr := strconv.Atoi(port)
	if perr != nil || n < 1 || n > 65535 {
		return "", bootstrapErr(entry, fmt.Sprintf("has port %q, want a number 1..65535", port), "")
	}
	if strings.ContainsAny(host, " /\t@?#") {
		return "", bootstrapErr(entry, "has an invalid host name", "use host:port, e.g. localhost:9092")
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}

// splitHostPort splits rest (entry without listener prefix) with messages
// aimed at the usual mistakes: no port, bare IPv6, empty host.
func splitHostPort(entry, rest string) (host, port string, err error) {
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			return "", "", bootstrapErr(entry, "has an unclosed [", "use [ipv6]:port, e.g. [::1]:9092")
		}
		host, after := rest[1:end], rest[end+1:]
		if !strings.HasPrefix(after, ":") {
			return "", "", bootstrapErr(entry, "has no port", "use [ipv6]:port, e.g. [::1]:9092")
		}
		if host == "" {
			return "", "", bootstrapErr(entry, "has no host", "use [ipv6]:port, e.g. [::1]:9092")
		}
		return host, after[1:], nil
	}
	switch strings.Count(rest, ":") {
	case 0:
		return "", "", bootstrapErr(entry, "has no port", "use host:port, e.g. localhost:9092")
	case 1:
	default:
		return "", "", bootstrapErr(entry, "looks like an IPv6 address without brackets",
			"use [ipv6]:port, e.g. [::1]:9092")
	}
	i := strings.LastIndex(rest, ":")
	if i == 0 {
		return "", "", bootstrapErr(entry, "has no host", "use host:port, e.g. localhost:9092")
	}
	return rest[:i], rest[i+1:], nil
}

// isListenerName reports whether s can be a Kafka listener name such as
// PLAINTEXT, SASL_SSL or a custom INTERNAL_TLS.
func isListenerName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		ok := r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

func bootstrapErr(entry, problem, hint string) error {
	return &ConfigError{Problem: fmt.Sprintf("bootstrap server %q %s", entry, problem), Hint: hint}
}
