package checks

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// The certificate thresholds: warning under 30 days, critical under 7.
const (
	CertWarnWithin     = 30 * 24 * time.Hour
	CertCriticalWithin = 7 * 24 * time.Hour
)

// certificates judges the certificate chain each broker served in the
// collector's TLS handshake, against the snapshot's time. Rule 1: a
// certificate of the chain past its not-after is TLS_CERT_EXPIRED. Rule 2:
// one expiring within CertCriticalWithin is TLS_CERT_EXPIRING critical,
// within CertWarnWithin a warning. Rule 3: a leaf that does not name the
// broker's advertised host is TLS_CERT_HOSTNAME_MISMATCH. One finding per
// broker and code, for the certificate that expires first.
//
// urgentOnly keeps what triage shows: expired, or critical (days left).
// When TLS is in use and a live broker completed no handshake, its
// certificates are a gap, never a pass.
func certificates(urgentOnly bool) Check {
	return Check{
		Name:  "certificates",
		Codes: []string{findings.TLSCertExpired, findings.TLSCertExpiring, findings.TLSCertHostnameMismatch},
		Run: func(in Input, r *Reporter) {
			s := in.Snap
			rules := health.Of(s)
			tlsInUse := false
			for _, b := range s.Brokers {
				tlsInUse = tlsInUse || len(b.Certificates) > 0
			}
			if !tlsInUse {
				return
			}
			listeners, _ := s.AdvertisedListeners()
			for _, b := range s.Brokers {
				if len(b.Certificates) == 0 {
					if rules.IsLive(b.ID) {
						r.CannotEvaluate("certificates of broker %d: no TLS handshake with it completed (%s)", b.ID, b.Probe.Status)
					}
					continue
				}
				for _, f := range certificateFindings(b, listenerAt(listeners, b), s.TakenAt) {
					if !urgentOnly || f.Severity == findings.Critical {
						r.Add(f)
					}
				}
			}
		},
	}
}

// certificateFindings applies the rules to one broker's chain.
func certificateFindings(b snapshot.Broker, listener string, now time.Time) []findings.Finding {
	var out []findings.Finding
	soonest := b.Certificates[0]
	for _, c := range b.Certificates[1:] {
		if c.NotAfter.Before(soonest.NotAfter) {
			soonest = c
		}
	}
	evidence := func(c snapshot.Certificate) map[string]any {
		return map[string]any{
			"listener": listener, "address": b.Address(), "subject": c.Subject, "issuer": c.Issuer,
			"not_after": c.NotAfter.UTC().Format(time.RFC3339), "days_left": int(c.NotAfter.Sub(now).Hours() / 24),
			"leaf": c.Subject == b.Certificates[0].Subject && c.NotAfter.Equal(b.Certificates[0].NotAfter),
		}
	}
	left := soonest.NotAfter.Sub(now)
	where := fmt.Sprintf("broker %d listener %s (%s)", b.ID, listenerName(listener), b.Address())
	switch {
	case left <= 0:
		out = append(out, findings.Finding{
			Code: findings.TLSCertExpired, Broker: findings.Int32(b.ID), Severity: findings.Critical,
			Summary: fmt.Sprintf("%s serves a certificate (%s) that expired at %s", where, soonest.Subject,
				soonest.NotAfter.UTC().Format(time.RFC3339)),
			Evidence: evidence(soonest),
		})
	case left < CertWarnWithin:
		sev := findings.Warning
		if left < CertCriticalWithin {
			sev = findings.Critical
		}
		out = append(out, findings.Finding{
			Code: findings.TLSCertExpiring, Broker: findings.Int32(b.ID), Severity: sev,
			Summary: fmt.Sprintf("%s serves a certificate (%s) that expires at %s, in %s", where, soonest.Subject,
				soonest.NotAfter.UTC().Format(time.RFC3339), daysLeft(left)),
			Evidence: evidence(soonest),
		})
	}
	leaf := b.Certificates[0]
	if b.Host != "" && !certificateNames(leaf, b.Host) {
		ev := evidence(leaf)
		ev["host"] = b.Host
		ev["dns_names"], ev["ip_addresses"] = leaf.DNSNames, leaf.IPAddresses
		out = append(out, findings.Finding{
			Code: findings.TLSCertHostnameMismatch, Broker: findings.Int32(b.ID),
			Summary: fmt.Sprintf("%s advertises host %s, which its certificate (%s) does not name: DNS %s, IP %s", where, b.Host,
				leaf.Subject, orNone(leaf.DNSNames), orNone(leaf.IPAddresses)),
			Evidence: ev,
		})
	}
	return out
}

// certificateNames reports whether the certificate's subject alternative
// names cover host, the way clients verify it: an IP against the IP
// names, a DNS name against the DNS names with a wildcard for the
// left-most label only. The common name is not consulted (Go and modern
// clients ignore it).
func certificateNames(c snapshot.Certificate, host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		for _, s := range c.IPAddresses {
			if other := net.ParseIP(s); other != nil && other.Equal(ip) {
				return true
			}
		}
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, name := range c.DNSNames {
		name = strings.ToLower(strings.TrimSuffix(name, "."))
		if name == host {
			return true
		}
		if rest, ok := strings.CutPrefix(name, "*."); ok {
			if _, domain, found := strings.Cut(host, "."); found && domain == rest {
				return true
			}
		}
	}
	return false
}

// listenerAt names the advertised listener at the broker's address, ""
// when the listeners are unknown.
func listenerAt(listeners []snapshot.Listener, b snapshot.Broker) string {
	for _, l := range listeners {
		if l.Broker == b.ID && l.Address == b.Address() {
			return l.Name
		}
	}
	return ""
}

func daysLeft(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%.0f hours", d.Hours())
	}
	return fmt.Sprintf("%.0f days", d.Hours()/24)
}

func listenerName(s string) string {
	if s == "" {
		return "(name unknown)"
	}
	return s
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
