package kafkatest

import (
	"fmt"
	"testing"

	"github.com/IBM/sarama"
)

// ClusterResource is the name of the one cluster resource ACLs can name.
const ClusterResource = "kafka-cluster"

// ACL is one access control entry for CreateACLs: Principal may (or, with Deny, may not) do
// Operation on the resource. Host is always "*".
type ACL struct {
	// Principal is e.g. "User:tool", "User:ANONYMOUS" or the wildcard "User:*".
	Principal string
	// Resource is sarama.AclResourceTopic, AclResourceGroup, AclResourceCluster, ...
	Resource sarama.AclResourceType
	// Name is the resource name, "*" for all of its type; ignored for the cluster.
	Name string
	// Prefixed makes Name a prefix (PREFIXED pattern) instead of a literal.
	Prefixed bool
	// Operation is e.g. sarama.AclOperationDescribe.
	Operation sarama.AclOperation
	// Deny makes the entry a DENY; the default is ALLOW.
	Deny bool
}

func (a ACL) String() string {
	perm, pattern := "ALLOW", "LITERAL"
	if a.Deny {
		perm = "DENY"
	}
	if a.Prefixed {
		pattern = "PREFIXED"
	}
	return fmt.Sprintf("%s %s %s on %s %s %q", a.Principal, perm, a.Operation.String(), a.Resource.String(), pattern, a.resourceName())
}

func (a ACL) resourceName() string {
	if a.Resource == sarama.AclResourceCluster {
		return ClusterResource
	}
	return a.Name
}

func (a ACL) sarama() (sarama.Resource, *sarama.Acl) {
	pattern, perm := sarama.AclPatternLiteral, sarama.AclPermissionAllow
	if a.Prefixed {
		pattern = sarama.AclPatternPrefixed
	}
	if a.Deny {
		perm = sarama.AclPermissionDeny
	}
	return sarama.Resource{ResourceType: a.Resource, ResourceName: a.resourceName(), ResourcePatternType: pattern},
		&sarama.Acl{Principal: a.Principal, Host: "*", Operation: a.Operation, PermissionType: perm}
}

// CreateACLs creates acls as a super user (over the PLAINTEXT listener) and waits until every
// running, unpaused broker enforces them: brokers learn ACLs from the metadata log, a moment
// after the controller accepted them. It needs Options.Security with ACLs on.
func (c *Cluster) CreateACLs(t testing.TB, acls ...ACL) {
	t.Helper()
	if c.opts.Security == nil || !c.opts.Security.ACLs {
		t.Fatalf("kafkatest: CreateACLs needs Options.Security with ACLs on")
	}
	byResource := map[sarama.Resource]*sarama.ResourceAcls{}
	var order []sarama.Resource
	for _, a := range acls {
		res, acl := a.sarama()
		if byResource[res] == nil {
			byResource[res] = &sarama.ResourceAcls{Resource: res}
			order = append(order, res)
		}
		byResource[res].Acls = append(byResource[res].Acls, acl)
	}
	var req []*sarama.ResourceAcls
	for _, res := range order {
		req = append(req, byResource[res])
	}
	seeds, err := c.liveBootstrap()
	if err != nil {
		t.Fatalf("kafkatest: CreateACLs: %v", err)
	}
	admin, err := sarama.NewClusterAdmin(seeds, NewSaramaConfig())
	if err != nil {
		t.Fatalf("kafkatest: CreateACLs: %v", err)
	}
	defer admin.Close()
	if err := admin.CreateACLs(req); err != nil {
		t.Fatalf("kafkatest: CreateACLs: %v", err)
	}
	if err := retry(dataTimeout, func() error { return c.aclsEnforced(acls) }); err != nil {
		t.Fatalf("kafkatest: CreateACLs: %v", err)
	}
}

// aclsEnforced checks that every live broker lists every one of acls.
func (c *Cluster) aclsEnforced(acls []ACL) error {
	for _, id := range c.liveBrokers() {
		have, err := c.brokerACLs(id)
		if err != nil {
			return fmt.Errorf("broker %d: %w", id, err)
		}
		for _, a := range acls {
			if !have[a.String()] {
				return fmt.Errorf("broker %d does not enforce %s yet", id, a)
			}
		}
	}
	return nil
}

// brokerACLs asks broker id, and only it, for every ACL it holds, keyed by ACL.String.
func (c *Cluster) brokerACLs(id int32) (map[string]bool, error) {
	resp, err := ask(c.BrokerAddr(id), probeTimeout, func(b *sarama.Broker, _ *sarama.Config) (*sarama.DescribeAclsResponse, error) {
		return b.DescribeAcls(&sarama.DescribeAclsRequest{Version: 2, AclFilter: sarama.AclFilter{
			ResourceType: sarama.AclResourceAny, ResourcePatternTypeFilter: sarama.AclPatternAny,
			Operation: sarama.AclOperationAny, PermissionType: sarama.AclPermissionAny,
		}})
	})
	if err != nil {
		return nil, err
	}
	if resp.Err != sarama.ErrNoError {
		return nil, resp.Err
	}
	have := map[string]bool{}
	for _, ra := range resp.ResourceAcls {
		for _, acl := range ra.Acls {
			a := ACL{Principal: acl.Principal, Resource: ra.ResourceType, Name: ra.ResourceName,
				Prefixed: ra.ResourcePatternType == sarama.AclPatternPrefixed, Operation: acl.Operation,
				Deny: acl.PermissionType == sarama.AclPermissionDeny}
			have[a.String()] = true
		}
	}
	return have, nil
}
