package sim

import (
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Group states and membership come from the scenario: kfake only knows the
// groups as committed offsets (state Empty), and keeping live members in it
// would need real consumers heartbeating for the cluster's whole life.
// Committed offsets stay in kfake, so OffsetFetch and OffsetCommit are real.

func handleListGroups(w *world, node int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.ListGroupsRequest)
	resp := req.ResponseKind().(*kmsg.ListGroupsResponse)
	for _, g := range w.groups {
		// Each broker lists only the groups it coordinates; Dead groups
		// are already gone from the coordinator.
		if g.coordinator != node || g.state == "Dead" {
			continue
		}
		if len(req.StatesFilter) > 0 && !containsFold(req.StatesFilter, g.state) {
			continue
		}
		if len(req.TypesFilter) > 0 && !containsFold(req.TypesFilter, "classic") {
			continue
		}
		lg := kmsg.NewListGroupsResponseGroup()
		lg.Group, lg.ProtocolType, lg.GroupState, lg.GroupType = g.id, "consumer", g.state, "classic"
		resp.Groups = append(resp.Groups, lg)
	}
	return resp
}

func handleDescribeGroups(w *world, node int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.DescribeGroupsRequest)
	if !slices.ContainsFunc(req.Groups, func(id string) bool { return w.groupByID[id] != nil }) {
		return nil // groups made after Start (a drill participant's) are kfake's
	}
	resp := req.ResponseKind().(*kmsg.DescribeGroupsResponse)
	for _, id := range req.Groups {
		dg := kmsg.NewDescribeGroupsResponseGroup()
		dg.Group = id
		g := w.groupByID[id]
		switch {
		case g == nil || g.state == "Dead":
			dg.State = "Dead"
			if req.Version >= 6 {
				dg.ErrorCode = kerr.GroupIDNotFound.Code
			}
		case g.coordinator != node:
			dg.ErrorCode = kerr.NotCoordinator.Code
		default:
			dg.State, dg.ProtocolType = g.state, "consumer"
			if g.state == "Stable" {
				dg.Protocol = g.protocol
			}
			dg.Members = g.describeMembers()
		}
		resp.Groups = append(resp.Groups, dg)
	}
	return resp
}

// describeMembers makes up the group's members: stable ids, client ids and
// hosts, subscribed to the topics the group commits on. A Stable group's
// members own its partitions round-robin, as an assignor would spread them.
func (g *groupInfo) describeMembers() []kmsg.DescribeGroupsResponseGroupMember {
	topics := slices.Sorted(maps.Keys(g.commits))
	owned := make([]map[string][]int32, g.members)
	if g.state == "Stable" {
		i := 0
		for _, t := range topics {
			for _, p := range slices.Sorted(maps.Keys(g.commits[t])) {
				m := i % g.members
				if owned[m] == nil {
					owned[m] = map[string][]int32{}
				}
				owned[m][t] = append(owned[m][t], p)
				i++
			}
		}
	}
	members := make([]kmsg.DescribeGroupsResponseGroupMember, 0, g.members)
	for i := range g.members {
		m := kmsg.NewDescribeGroupsResponseGroupMember()
		m.ClientID = fmt.Sprintf("%s-%d", g.id, i+1)
		m.MemberID = fmt.Sprintf("%s-%08x-%04x", m.ClientID, fnv32(g.id), i+1)
		m.ClientHost = fmt.Sprintf("/10.20.%d.%d", len(g.id)%250, 11+i)
		meta := kmsg.NewConsumerMemberMetadata()
		meta.Version, meta.Topics = 0, topics
		m.ProtocolMetadata = meta.AppendTo(nil)
		assign := kmsg.NewConsumerMemberAssignment()
		for _, t := range topics {
			if ps := owned[i][t]; len(ps) > 0 {
				assign.Topics = append(assign.Topics, kmsg.ConsumerMemberAssignmentTopic{Topic: t, Partitions: ps})
			}
		}
		m.MemberAssignment = assign.AppendTo(nil)
		members = append(members, m)
	}
	return members
}

// fnv32 gives member ids a group-specific but stable suffix, like the
// random UUID part of real member ids.
func fnv32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func containsFold(ss []string, s string) bool {
	return slices.ContainsFunc(ss, func(v string) bool { return strings.EqualFold(v, s) })
}
