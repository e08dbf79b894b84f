package collect

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// aclBroker is a mock broker that answers DescribeAcls with resp.
func aclBroker(t *testing.T, resp *sarama.DescribeAclsResponse) *sarama.MockBroker {
	t.Helper()
	b := sarama.NewMockBroker(t, 1)
	t.Cleanup(b.Close)
	b.SetHandlerByMap(map[string]sarama.MockResponse{
		"ApiVersionsRequest": sarama.NewMockApiVersionsResponse(t).SetApiKeys([]sarama.ApiVersionsResponseKey{
			{ApiKey: 29, MinVersion: 0, MaxVersion: 2}, // DescribeAcls
		}),
		"DescribeAclsRequest": sarama.NewMockWrapper(resp),
	})
	return b
}

// newTestCollector is a collector with nothing collected yet, for driving one part.
func newTestCollector() *collector {
	return &collector{
		opts: Options{RequestTimeout: 2 * time.Second},
		pool: newPool(tightened(nil, 2*time.Second), 2*time.Second, 0),
		snap: &snapshot.Snapshot{},
	}
}

func TestACLsAreNamedAsKafkaNamesThem(t *testing.T) {
	pattern := func(rt sarama.AclResourceType, name string, pt sarama.AclResourcePatternType, acls ...*sarama.Acl) *sarama.ResourceAcls {
		return &sarama.ResourceAcls{Resource: sarama.Resource{ResourceType: rt, ResourceName: name, ResourcePatternType: pt}, Acls: acls}
	}
	resp := &sarama.DescribeAclsResponse{Version: 2, ResourceAcls: []*sarama.ResourceAcls{
		pattern(sarama.AclResourceTopic, "orders", sarama.AclPatternLiteral,
			&sarama.Acl{Principal: "User:ANONYMOUS", Host: "*", Operation: sarama.AclOperationWrite, PermissionType: sarama.AclPermissionAllow}),
		pattern(sarama.AclResourceCluster, "kafka-cluster", sarama.AclPatternLiteral,
			&sarama.Acl{Principal: "User:tool", Host: "*", Operation: sarama.AclOperationDescribeConfigs, PermissionType: sarama.AclPermissionAllow},
			&sarama.Acl{Principal: "User:tool", Host: "10.0.0.1", Operation: sarama.AclOperationAlter, PermissionType: sarama.AclPermissionDeny}),
		pattern(sarama.AclResourceGroup, "app.", sarama.AclPatternPrefixed,
			&sarama.Acl{Principal: "User:*", Host: "*", Operation: sarama.AclOperation(42), PermissionType: sarama.AclPermissionAllow}),
	}}
	b := aclBroker(t, resp)
	c := newTestCollector()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cn := c.pool.get(ctx, b.Addr())
	if !cn.wait(ctx) {
		t.Fatalf("probe: %+v", cn.probe)
	}
	c.acls(ctx, cn)
	c.finish()
	if len(c.snap.Errors) > 0 {
		t.Fatalf("errors: %+v", c.snap.Errors)
	}
	var got []string
	for _, a := range c.snap.ACLs {
		got = append(got, strings.Join([]string{a.ResourceType, a.ResourceName, a.PatternType, a.Principal, a.Operation, a.Permission, a.Host}, " "))
	}
	want := []string{
		"CLUSTER kafka-cluster LITERAL User:tool ALTER DENY 10.0.0.1",
		"CLUSTER kafka-cluster LITERAL User:tool DESCRIBE_CONFIGS ALLOW *",
		"GROUP app. PREFIXED User:* UNKNOWN(42) ALLOW *",
		"TOPIC orders LITERAL User:ANONYMOUS WRITE ALLOW *",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ACLs:\n got %q\nwant %q", got, want)
	}
}

func TestACLAnswersThatAreNotACLs(t *testing.T) {
	tests := []struct {
		name     string
		err      sarama.KError
		wantKind string // "" when nothing is recorded
	}{
		// No authorizer: an answer (nobody is restricted), not a failure to report.
		{"security disabled", sarama.ErrSecurityDisabled, ""},
		// No DESCRIBE on the cluster: the checks must say they cannot evaluate.
		{"not authorized", sarama.ErrClusterAuthorizationFailed, snapshot.KindAuthorization},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := aclBroker(t, &sarama.DescribeAclsResponse{Version: 2, Err: tt.err})
			c := newTestCollector()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			cn := c.pool.get(ctx, b.Addr())
			cn.wait(ctx)
			c.acls(ctx, cn)
			c.finish()
			if len(c.snap.ACLs) != 0 {
				t.Errorf("ACLs %+v", c.snap.ACLs)
			}
			switch {
			case tt.wantKind == "" && len(c.snap.Errors) != 0:
				t.Errorf("errors %+v, want none", c.snap.Errors)
			case tt.wantKind != "" && (len(c.snap.Errors) != 1 || c.snap.Errors[0].Kind != tt.wantKind || c.snap.Errors[0].Source != snapshot.SourceACLs):
				t.Errorf("errors %+v, want one %s error of source acls", c.snap.Errors, tt.wantKind)
			}
		})
	}
}

func TestHiddenTopicsAreReported(t *testing.T) {
	c := newTestCollector()
	c.snap.Topics = []snapshot.Topic{{Name: "shop.orders"}}
	var d diskTopics
	logDirs := func(topics ...string) *sarama.DescribeLogDirsResponse {
		dir := &sarama.DescribeLogDirsResponseDirMetadata{Path: "/data"}
		for _, tp := range topics {
			dir.Topics = append(dir.Topics, sarama.DescribeLogDirsResponseTopic{Topic: tp})
		}
		return &sarama.DescribeLogDirsResponse{LogDirs: []sarama.DescribeLogDirsResponseDirMetadata{*dir}}
	}
	c.reportHidden(&d) // nothing on disk yet: nothing to say
	d.add(logDirs("shop.orders", "hr.salaries"))
	d.add(logDirs("shop.orders", "__consumer_offsets"))
	c.reportHidden(&d)
	c.finish()
	if len(c.snap.Errors) != 1 {
		t.Fatalf("errors %+v, want one", c.snap.Errors)
	}
	e := c.snap.Errors[0]
	want := "2 topics are on the brokers' disks but not visible to this principal (TOPIC_AUTHORIZATION_FAILED: no DESCRIBE ACL), so not diagnosed: __consumer_offsets, hr.salaries"
	if e.Source != snapshot.SourceMetadata || e.Kind != snapshot.KindAuthorization || e.Broker != -1 || e.Message != want {
		t.Errorf("error %+v\nwant message %q", e, want)
	}

	// Without an authorizer nothing is hidden: a difference is a topic created meanwhile.
	c = newTestCollector()
	c.snap.BrokerConfigs = []snapshot.BrokerConfig{{Broker: 1, Configs: map[string]snapshot.ConfigValue{"authorizer.class.name": {}}}}
	c.reportHidden(&d)
	c.finish()
	if len(c.snap.Errors) != 0 {
		t.Errorf("no authorizer: errors %+v", c.snap.Errors)
	}

	var many []string
	for i := range 12 {
		many = append(many, "t"+string(rune('a'+i)))
	}
	if msg := hiddenMessage(many); !strings.HasSuffix(msg, "ta, tb, tc, td, te, tf, tg, th, ti, tj and 2 more") {
		t.Errorf("long list: %q", msg)
	}
}

func TestAuthFailuresNameMechanismAndUser(t *testing.T) {
	cfg := sarama.NewConfig()
	cfg.Net.SASL.Enable, cfg.Net.SASL.Mechanism = true, sarama.SASLTypeSCRAMSHA512
	cfg.Net.SASL.User, cfg.Net.SASL.Password = "tool", "Sup3r-Secret"
	tests := []struct {
		err  error
		want string
	}{
		{sarama.Wrap(sarama.ErrSASLAuthenticationFailed, errors.New("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512")),
			`SASL/SCRAM-SHA-512 login as "tool" failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512`},
		{sarama.ErrIllegalSASLState, `SASL/SCRAM-SHA-512 login as "tool" refused: ILLEGAL_SASL_STATE (this listener does not take SASL)`},
		{sarama.ErrUnsupportedSASLMechanism, `SASL/SCRAM-SHA-512 login as "tool" refused: UNSUPPORTED_SASL_MECHANISM (this listener does not enable SCRAM-SHA-512)`},
	}
	for _, tt := range tests {
		kind := classify(tt.err).kind
		got := describeConnErr(cfg, kind, tt.err)
		if kind != snapshot.KindAuth || got != tt.want {
			t.Errorf("%v: kind %s, message %q\nwant %q", tt.err, kind, got, tt.want)
		}
		if strings.Contains(got, "Sup3r-Secret") {
			t.Errorf("the message holds the password: %q", got)
		}
	}
	// Without SASL an error is described as before.
	if got := describeConnErr(sarama.NewConfig(), snapshot.KindRefused, errors.New("connection refused")); got != "connection refused" {
		t.Errorf("plain error: %q", got)
	}
}
