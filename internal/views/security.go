package views

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// SecurityView is `describe security`: the security posture a client can see. Listeners
// each broker advertises with their protocol, the authorizer, and every ACL, with the
// entries that let anybody change data marked.
type SecurityView struct {
	// Authorizer is authorizer.class.name, "" when none; AuthorizerKnown is false when no
	// broker reported it.
	Authorizer      string        `json:"authorizer"`
	AuthorizerKnown bool          `json:"authorizer_known"`
	Listeners       []ListenerRow `json:"listeners"`
	ACLs            []ACLRow      `json:"acls"`
	// Certificates are the chains the brokers served in this tool's TLS handshakes, leaf
	// first per broker; empty over PLAINTEXT.
	Certificates []CertificateRow `json:"certificates"`
	Warnings     []Warning        `json:"warnings"`
}

// CertificateRow is one certificate of the chain one broker served.
type CertificateRow struct {
	Broker  int32  `json:"broker"`
	Address string `json:"address"`
	// Position is 0 for the leaf, then 1, 2, ... up the chain.
	Position int `json:"position"`
	snapshot.Certificate
	// DaysLeft is whole days from the snapshot to NotAfter, negative once expired.
	DaysLeft int `json:"days_left"`
}

// ListenerRow is one listener one broker advertises.
type ListenerRow struct {
	snapshot.Listener
	Encrypted bool `json:"encrypted"`
}

// ACLRow is one ACL entry; AnonymousWrite marks ALLOW entries that let User:ANONYMOUS or
// User:* change data or the cluster (finding ACL_ALLOWS_ANONYMOUS_WRITE).
type ACLRow struct {
	snapshot.ACL
	AnonymousWrite bool `json:"anonymous_write"`
}

// Security builds the security view. The topic filter applies to topic ACLs; ACLs on other
// resources are always shown because they may cover the topic too (cluster, wildcards).
func Security(s *snapshot.Snapshot, f Filter) SecurityView {
	v := SecurityView{Listeners: []ListenerRow{}, ACLs: []ACLRow{}, Certificates: []CertificateRow{}}
	for _, b := range s.Brokers {
		for i, c := range b.Certificates {
			v.Certificates = append(v.Certificates, CertificateRow{Broker: b.ID, Address: b.Address(), Position: i,
				Certificate: c, DaysLeft: int(math.Floor(c.NotAfter.Sub(s.TakenAt).Hours() / 24))})
		}
	}
	v.Authorizer, v.AuthorizerKnown = s.Authorizer()
	listeners, unknown := s.AdvertisedListeners()
	for _, l := range listeners {
		v.Listeners = append(v.Listeners, ListenerRow{Listener: l, Encrypted: l.Encrypted()})
	}
	for _, a := range s.ACLs {
		if a.ResourceType == "TOPIC" && a.PatternType == "LITERAL" && a.ResourceName != "*" && !f.matchTopicName(a.ResourceName) {
			continue
		}
		v.ACLs = append(v.ACLs, ACLRow{ACL: a, AnonymousWrite: a.GrantsAnonymousWrite()})
	}
	w := warningsFrom(s, Filter{}, snapshot.SourceBrokerConfigs, snapshot.SourceACLs)
	for _, id := range unknown {
		w = append(w, missing(snapshot.SourceBrokerConfigs, id, "", "advertised.listeners not reported"))
	}
	v.Warnings = sortWarnings(w)
	return v
}

// Tables returns the listener and ACL tables.
func (v SecurityView) Tables() []render.Table {
	authorizer := "none: every client may do everything"
	switch {
	case !v.AuthorizerKnown:
		authorizer = "unknown (authorizer.class.name not reported)"
	case v.Authorizer != "":
		authorizer = v.Authorizer
	}
	lt := render.Table{
		Title: fmt.Sprintf("Listeners (%d)", len(v.Listeners)),
		Columns: []render.Column{{Name: "Broker", Align: render.AlignRight}, {Name: "Listener"}, {Name: "Address"},
			{Name: "Protocol"}, {Name: "Encrypted"}},
		Rows:     [][]string{},
		Empty:    "no listener reported",
		Notes:    []string{"Authorizer: " + authorizer},
		Warnings: warningLines(v.Warnings),
	}
	for _, l := range v.Listeners {
		lt.Rows = append(lt.Rows, []string{itoa(int(l.Broker)), l.Name, l.Address, l.Protocol, words.YesNo(l.Encrypted)})
	}
	at := render.Table{
		Title: fmt.Sprintf("ACLs (%d)", len(v.ACLs)),
		Columns: []render.Column{{Name: "Principal"}, {Name: "Permission"}, {Name: "Operation"}, {Name: "Resource", Drop: 2},
			{Name: "Name"}, {Name: "Pattern", Drop: 3}, {Name: "Host", Drop: 1}, {Name: "Risk", Wrap: true}},
		Rows:  [][]string{},
		Empty: "no ACLs (or no authorizer)",
	}
	for _, a := range v.ACLs {
		risk := ""
		switch {
		case a.AnonymousWrite && a.Principal == "User:ANONYMOUS":
			risk = "unauthenticated clients may " + strings.ToLower(a.Operation)
		case a.AnonymousWrite:
			risk = "every principal may " + strings.ToLower(a.Operation)
		}
		at.Rows = append(at.Rows, []string{a.Principal, a.Permission, a.Operation, a.ResourceType, a.ResourceName,
			a.PatternType, a.Host, risk})
	}
	if len(v.Certificates) == 0 {
		return []render.Table{lt, at}
	}
	ct := render.Table{
		Title: fmt.Sprintf("TLS certificates served (%d)", len(v.Certificates)),
		Columns: []render.Column{{Name: "Broker", Align: render.AlignRight}, {Name: "Address", Drop: 3}, {Name: "Chain"},
			{Name: "Subject", Wrap: true}, {Name: "Issuer", Wrap: true, Drop: 2}, {Name: "Names", Wrap: true, Drop: 1},
			{Name: "Not after"}, {Name: "Days left", Align: render.AlignRight}},
		Notes: []string{"From the TLS handshakes this tool made; 'kafka-runbook audit' judges expiry and host names."},
	}
	for _, c := range v.Certificates {
		chain := "leaf"
		if c.Position > 0 {
			chain = fmt.Sprintf("issuer %d", c.Position)
		}
		names := strings.Join(append(slices.Clone(c.DNSNames), c.IPAddresses...), ", ")
		ct.Rows = append(ct.Rows, []string{itoa(int(c.Broker)), c.Address, chain, c.Subject, c.Issuer, words.OrDash(names),
			c.NotAfter.UTC().Format(time.RFC3339), itoa(c.DaysLeft)})
	}
	return []render.Table{lt, at, ct}
}
