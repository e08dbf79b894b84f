package sim

import (
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// configDef is a Kafka default; for a topic config, broker names the
// broker config that supplies the cluster-wide value.
type configDef struct {
	value  string
	typ    kmsg.ConfigType
	broker string
}

// topicDefaults are the topic configs Kafka 4.x reports for every topic that
// matter to incident checks. kfake's own DescribeConfigs knows fewer, reports
// rack "krack" and cannot say unclean.leader.election.enable.
var topicDefaults = map[string]configDef{
	"cleanup.policy":                 {"delete", kmsg.ConfigTypeList, "log.cleanup.policy"},
	"compression.type":               {"producer", kmsg.ConfigTypeString, "compression.type"},
	"delete.retention.ms":            {"86400000", kmsg.ConfigTypeLong, "log.cleaner.delete.retention.ms"},
	"max.message.bytes":              {"1048588", kmsg.ConfigTypeInt, "message.max.bytes"},
	"message.timestamp.type":         {"CreateTime", kmsg.ConfigTypeString, "log.message.timestamp.type"},
	"min.insync.replicas":            {"1", kmsg.ConfigTypeInt, "min.insync.replicas"},
	"retention.bytes":                {"-1", kmsg.ConfigTypeLong, "log.retention.bytes"},
	"retention.ms":                   {"604800000", kmsg.ConfigTypeLong, "log.retention.ms"},
	"segment.bytes":                  {"1073741824", kmsg.ConfigTypeInt, "log.segment.bytes"},
	"segment.ms":                     {"604800000", kmsg.ConfigTypeLong, "log.roll.ms"},
	"unclean.leader.election.enable": {"false", kmsg.ConfigTypeBoolean, "unclean.leader.election.enable"},
}

// brokerDefaults are the broker configs, with Kafka's defaults, that the
// configuration-hygiene and failure runbooks read.
var brokerDefaults = map[string]configDef{
	"authorizer.class.name":                    {value: "", typ: kmsg.ConfigTypeString},
	"auto.create.topics.enable":                {value: "true", typ: kmsg.ConfigTypeBoolean},
	"broker.heartbeat.interval.ms":             {value: "2000", typ: kmsg.ConfigTypeInt},
	"broker.session.timeout.ms":                {value: "9000", typ: kmsg.ConfigTypeInt},
	"compression.type":                         {value: "producer", typ: kmsg.ConfigTypeString},
	"default.replication.factor":               {value: "1", typ: kmsg.ConfigTypeInt},
	"log.cleanup.policy":                       {value: "delete", typ: kmsg.ConfigTypeList},
	"log.retention.bytes":                      {value: "-1", typ: kmsg.ConfigTypeLong},
	"log.retention.hours":                      {value: "168", typ: kmsg.ConfigTypeInt},
	"log.segment.bytes":                        {value: "1073741824", typ: kmsg.ConfigTypeInt},
	"message.max.bytes":                        {value: "1048588", typ: kmsg.ConfigTypeInt},
	"min.insync.replicas":                      {value: "1", typ: kmsg.ConfigTypeInt},
	"num.partitions":                           {value: "1", typ: kmsg.ConfigTypeInt},
	"offsets.topic.replication.factor":         {value: "3", typ: kmsg.ConfigTypeShort},
	"replica.lag.time.max.ms":                  {value: "30000", typ: kmsg.ConfigTypeLong},
	"transaction.state.log.min.isr":            {value: "2", typ: kmsg.ConfigTypeInt},
	"transaction.state.log.replication.factor": {value: "3", typ: kmsg.ConfigTypeShort},
	"unclean.leader.election.enable":           {value: "false", typ: kmsg.ConfigTypeBoolean},
}

func handleDescribeConfigs(w *world, node int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.DescribeConfigsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeConfigsResponse)
	b := w.byID[node]
	if b == nil {
		return nil // not a scenario broker; cannot happen once Start returns
	}
	for _, rr := range req.Resources {
		r := kmsg.NewDescribeConfigsResponseResource()
		r.ResourceType, r.ResourceName = rr.ResourceType, rr.ResourceName
		switch rr.ResourceType {
		case kmsg.ConfigResourceTypeTopic:
			t := w.byName[rr.ResourceName]
			if t == nil {
				r.ErrorCode = kerr.UnknownTopicOrPartition.Code
				break
			}
			r.Configs = topicConfigs(t, b, req.IncludeSynonyms)
		case kmsg.ConfigResourceTypeBroker:
			// Kafka answers only for itself; the empty name means "you".
			if rr.ResourceName != "" && rr.ResourceName != strconv.Itoa(int(node)) {
				r.ErrorCode = kerr.InvalidRequest.Code
				r.ErrorMessage = kmsg.StringPtr("Unexpected broker id, expected " + strconv.Itoa(int(node)) + " or empty string")
				break
			}
			r.Configs = brokerConfigs(b, req.IncludeSynonyms)
		default:
			r.ErrorCode = kerr.InvalidRequest.Code
			r.ErrorMessage = kmsg.StringPtr("resource type not simulated")
		}
		if rr.ConfigNames != nil {
			r.Configs = slices.DeleteFunc(r.Configs, func(c kmsg.DescribeConfigsResponseResourceConfig) bool {
				return !slices.Contains(rr.ConfigNames, c.Name)
			})
		}
		resp.Resources = append(resp.Resources, r)
	}
	return resp
}

// synonym is one level of a config's precedence chain, highest first.
type synonym struct {
	name, value string
	source      kmsg.ConfigSource
}

func topicConfigs(t *topicInfo, b *brokerInfo, withSynonyms bool) []kmsg.DescribeConfigsResponseResourceConfig {
	names := slices.Sorted(maps.Keys(topicDefaults))
	for n := range t.configs {
		if _, ok := topicDefaults[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var out []kmsg.DescribeConfigsResponseResourceConfig
	for _, n := range names {
		def, hasDef := topicDefaults[n]
		var chain []synonym
		if v, ok := t.configs[n]; ok {
			chain = append(chain, synonym{n, v, kmsg.ConfigSourceDynamicTopicConfig})
		}
		if v, ok := b.configs[def.broker]; hasDef && ok {
			chain = append(chain, synonym{def.broker, v, kmsg.ConfigSourceStaticBrokerConfig})
		}
		if hasDef {
			chain = append(chain, synonym{def.broker, def.value, kmsg.ConfigSourceDefaultConfig})
		}
		c := entry(n, chain, def.typ, withSynonyms)
		// Topic configs are all alterable; their defaults are shown
		// under the topic config's own name.
		c.ReadOnly = false
		out = append(out, c)
	}
	return out
}

func brokerConfigs(b *brokerInfo, withSynonyms bool) []kmsg.DescribeConfigsResponseResourceConfig {
	id := strconv.Itoa(int(b.id))
	dirs := make([]string, len(b.logDirs))
	for i, d := range b.logDirs {
		dirs[i] = d.Path
	}
	static := maps.Clone(b.configs)
	static["broker.id"], static["node.id"] = id, id
	static["log.dirs"] = strings.Join(dirs, ",")
	// As a real broker reports them: the security check reads its listeners.
	listener := "PLAINTEXT://" + net.JoinHostPort(b.host, strconv.Itoa(int(b.port)))
	static["listeners"], static["advertised.listeners"] = listener, listener
	if b.rack != nil {
		static["broker.rack"] = *b.rack
	}
	names := slices.Collect(maps.Keys(static))
	for n := range brokerDefaults {
		if _, ok := static[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var out []kmsg.DescribeConfigsResponseResourceConfig
	for _, n := range names {
		def, hasDef := brokerDefaults[n]
		var chain []synonym
		if v, ok := static[n]; ok {
			chain = append(chain, synonym{n, v, kmsg.ConfigSourceStaticBrokerConfig})
		}
		if hasDef {
			chain = append(chain, synonym{n, def.value, kmsg.ConfigSourceDefaultConfig})
		}
		out = append(out, entry(n, chain, def.typ, withSynonyms))
	}
	return out
}

// entry builds one config from its precedence chain: the first level wins,
// and with synonyms requested Kafka lists every level, the winner included.
func entry(name string, chain []synonym, typ kmsg.ConfigType, withSynonyms bool) kmsg.DescribeConfigsResponseResourceConfig {
	c := kmsg.NewDescribeConfigsResponseResourceConfig()
	c.Name, c.ConfigType = name, typ
	c.Source = chain[0].source
	c.IsDefault = c.Source == kmsg.ConfigSourceDefaultConfig
	c.ReadOnly = c.Source == kmsg.ConfigSourceStaticBrokerConfig
	c.IsSensitive = strings.Contains(name, "password") || strings.Contains(name, "sasl.jaas")
	if !c.IsSensitive {
		c.Value = kmsg.StringPtr(chain[0].value)
	}
	if withSynonyms {
		for _, s := range chain {
			syn := kmsg.NewDescribeConfigsResponseResourceConfigConfigSynonym()
			syn.Name, syn.Source = s.name, s.source
			if !c.IsSensitive {
				syn.Value = kmsg.StringPtr(s.value)
			}
			c.ConfigSynonyms = append(c.ConfigSynonyms, syn)
		}
	}
	return c
}
