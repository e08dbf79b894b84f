package collect

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// acls reads every ACL in the cluster with a match-anything filter. A cluster without an
// authorizer answers SECURITY_DISABLED: that is an answer (no ACL applies, everyone may do
// everything, which authorizer.class.name also says), not a failure, so nothing is recorded.
func (c *collector) acls(ctx context.Context, cn *conn) {
	req := &sarama.DescribeAclsRequest{Version: 2, AclFilter: sarama.AclFilter{
		ResourceType:              sarama.AclResourceAny,
		ResourcePatternTypeFilter: sarama.AclPatternAny,
		Operation:                 sarama.AclOperationAny,
		PermissionType:            sarama.AclPermissionAny,
	}}
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.DescribeAclsResponse, error) {
		return b.DescribeAcls(req)
	})
	if err == nil && errors.Is(resp.Err, sarama.ErrSecurityDisabled) {
		return
	}
	if err == nil && resp.Err != sarama.ErrNoError {
		err = resp.Err
	}
	if err != nil {
		c.record(snapshot.SourceACLs, cn.brokerID(c.snap), "", err)
		return
	}
	acls := aclsFrom(resp.ResourceAcls)
	c.mu.Lock()
	c.snap.ACLs = acls
	c.mu.Unlock()
}

// aclsFrom flattens a DescribeAcls answer into entries named as Kafka names them, sorted so
// that two snapshots of the same ACLs are identical.
func aclsFrom(in []*sarama.ResourceAcls) []snapshot.ACL {
	var out []snapshot.ACL
	for _, ra := range in {
		for _, a := range ra.Acls {
			out = append(out, snapshot.ACL{
				Principal:    a.Principal,
				Host:         a.Host,
				ResourceType: resourceTypeName(ra.ResourceType),
				ResourceName: ra.ResourceName,
				PatternType:  patternTypeName(ra.ResourcePatternType),
				Operation:    operationName(a.Operation),
				Permission:   permissionName(a.PermissionType),
			})
		}
	}
	slices.SortFunc(out, compareACL)
	return slices.Compact(out)
}

func compareACL(a, b snapshot.ACL) int {
	return cmp.Or(cmp.Compare(a.ResourceType, b.ResourceType), cmp.Compare(a.ResourceName, b.ResourceName),
		cmp.Compare(a.PatternType, b.PatternType), cmp.Compare(a.Principal, b.Principal),
		cmp.Compare(a.Operation, b.Operation), cmp.Compare(a.Permission, b.Permission), cmp.Compare(a.Host, b.Host))
}

// Kafka's names (ResourceType, PatternType, AclOperation and AclPermissionType in the Java
// client), so that the snapshot reads like kafka-acls.sh output and scripts can match on it.
var (
	resourceTypeNames = map[sarama.AclResourceType]string{
		sarama.AclResourceTopic: "TOPIC", sarama.AclResourceGroup: "GROUP", sarama.AclResourceCluster: "CLUSTER",
		sarama.AclResourceTransactionalID: "TRANSACTIONAL_ID", sarama.AclResourceDelegationToken: "DELEGATION_TOKEN",
		sarama.AclResourceType(7): "USER", // ResourceType.USER (KIP-554), unnamed in sarama
	}
	patternTypeNames = map[sarama.AclResourcePatternType]string{
		sarama.AclPatternLiteral: "LITERAL", sarama.AclPatternPrefixed: "PREFIXED",
	}
	operationNames = map[sarama.AclOperation]string{
		sarama.AclOperationAll: "ALL", sarama.AclOperationRead: "READ", sarama.AclOperationWrite: "WRITE",
		sarama.AclOperationCreate: "CREATE", sarama.AclOperationDelete: "DELETE", sarama.AclOperationAlter: "ALTER",
		sarama.AclOperationDescribe: "DESCRIBE", sarama.AclOperationClusterAction: "CLUSTER_ACTION",
		sarama.AclOperationDescribeConfigs: "DESCRIBE_CONFIGS", sarama.AclOperationAlterConfigs: "ALTER_CONFIGS",
		sarama.AclOperationIdempotentWrite: "IDEMPOTENT_WRITE",
		sarama.AclOperation(13):            "CREATE_TOKENS", // KIP-373, unnamed in sarama
		sarama.AclOperation(14):            "DESCRIBE_TOKENS",
	}
	permissionNames = map[sarama.AclPermissionType]string{
		sarama.AclPermissionAllow: "ALLOW", sarama.AclPermissionDeny: "DENY",
	}
)

func resourceTypeName(v sarama.AclResourceType) string       { return nameOr(resourceTypeNames, v) }
func patternTypeName(v sarama.AclResourcePatternType) string { return nameOr(patternTypeNames, v) }
func operationName(v sarama.AclOperation) string             { return nameOr(operationNames, v) }
func permissionName(v sarama.AclPermissionType) string       { return nameOr(permissionNames, v) }

// nameOr returns Kafka's name for a code, or UNKNOWN(code) for one this tool does not know,
// so a newer broker's entry is still listed rather than dropped.
func nameOr[K ~int](names map[K]string, v K) string {
	if n, ok := names[v]; ok {
		return n
	}
	return "UNKNOWN(" + strconv.Itoa(int(v)) + ")"
}
