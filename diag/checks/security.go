package checks

import (
	"fmt"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// securityPosture reports what a client can see of how the cluster is protected: listeners
// whose traffic is not encrypted, and ACLs that let unauthenticated or arbitrary clients
// change data. It reads the listener configs of each broker and the ACLs; what could not be
// read is "cannot evaluate", never a clean bill of health.
func securityPosture() Check {
	return Check{
		Name:  "security",
		Reads: []string{snapshot.SourceBrokerConfigs, snapshot.SourceACLs},
		Codes: []string{findings.PlaintextListener, findings.ACLAllowsAnonymousWrite},
		Run: func(in Input, r *Reporter) {
			plaintextListeners(in.Snap, r)
			anonymousWrites(in.Snap, r)
		},
	}
}

// plaintextListeners flags every advertised listener without TLS (Rule: PLAINTEXT and
// SASL_PLAINTEXT carry records, and for SASL/PLAIN passwords, in clear).
func plaintextListeners(s *snapshot.Snapshot, r *Reporter) {
	for _, e := range s.ErrorsFor(snapshot.SourceBrokerConfigs) {
		r.CannotEvaluate("listeners%s: %s", e.OfBroker(), e.Message)
	}
	if len(s.BrokerConfigs) == 0 && len(s.ErrorsFor(snapshot.SourceBrokerConfigs)) == 0 {
		r.CannotEvaluate("listeners: broker configs were not collected")
		return
	}
	listeners, unknown := s.AdvertisedListeners()
	if len(unknown) > 0 {
		// One line for all of them: old snapshots lack the key on every broker.
		r.CannotEvaluate("listeners of broker(s) %s: advertised.listeners was not reported", words.JoinIDs(unknown, ", "))
	}
	authorizer, known := s.Authorizer()
	for _, l := range listeners {
		if l.Encrypted() || l.Protocol == "" {
			continue
		}
		summary := fmt.Sprintf("broker %d advertises listener %s (%s) with security protocol %s: traffic is not encrypted",
			l.Broker, l.Name, l.Address, l.Protocol)
		if l.Protocol == "SASL_PLAINTEXT" {
			summary += "; SASL/PLAIN passwords cross the network in clear"
		}
		if known && authorizer == "" {
			summary += "; no authorizer is configured, so any client that reaches it may read, write and delete every topic"
		}
		r.Add(findings.Finding{
			Code: findings.PlaintextListener, Broker: findings.Int32(l.Broker), Summary: summary,
			Evidence: map[string]any{"listener": l.Name, "address": l.Address, "protocol": l.Protocol, "authorizer": authorizer},
		})
	}
}

// anonymousWrites flags every ALLOW entry that lets User:ANONYMOUS or User:* change data or
// the cluster (Rule: such an entry bypasses whatever the other ACLs intend).
func anonymousWrites(s *snapshot.Snapshot, r *Reporter) {
	if errs := s.ErrorsFor(snapshot.SourceACLs); len(errs) > 0 {
		for _, e := range errs {
			r.CannotEvaluate("ACLs: %s%s", e.Message, snapshot.KindNote(e.Kind))
		}
		return
	}
	if _, known := s.Authorizer(); !known && len(s.ACLs) == 0 {
		// Neither ACLs nor the authorizer setting: this snapshot says nothing either way.
		r.CannotEvaluate("ACLs: neither the ACLs nor authorizer.class.name were collected")
		return
	}
	for _, a := range s.ACLs {
		if !a.GrantsAnonymousWrite() {
			continue
		}
		f := findings.Finding{
			Code: findings.ACLAllowsAnonymousWrite,
			Summary: fmt.Sprintf("%s may %s %s %s (%s, host %s)", a.Principal, a.Operation,
				a.ResourceType, quoteName(a.ResourceName), a.PatternType, a.Host),
			Evidence: map[string]any{"principal": a.Principal, "operation": a.Operation, "resource_type": a.ResourceType,
				"resource_name": a.ResourceName, "pattern_type": a.PatternType, "host": a.Host},
		}
		if a.ResourceType == "TOPIC" && a.PatternType == "LITERAL" && a.ResourceName != "*" {
			f.Topic = a.ResourceName
		}
		if a.ResourceType == "GROUP" && a.PatternType == "LITERAL" && a.ResourceName != "*" {
			f.Group = a.ResourceName
		}
		r.Add(f)
	}
}

// quoteName shows "*" as "(all)" so the summary reads as a sentence.
func quoteName(name string) string {
	if name == "*" {
		return "(all)"
	}
	return fmt.Sprintf("%q", name)
}
