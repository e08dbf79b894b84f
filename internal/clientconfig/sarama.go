package clientconfig

import (
	"time"

	"github.com/IBM/sarama"
)

// Default timeouts: short, because during an outage an unresponsive broker
// is itself the finding and waiting sarama's default 30s per attempt would
// hide every other result behind it.
const (
	DefaultDialTimeout  = 3 * time.Second
	DefaultReadTimeout  = 5 * time.Second
	DefaultWriteTimeout = 5 * time.Second
)

// keepAlive keeps idle connections of a multi-step collection from being
// dropped by NATs and load balancers; the value only matters for long runs.
const keepAlive = 15 * time.Second

// Timeouts bound every network operation sarama does; zero fields take the
// defaults above. They come from CLI flags, never from client properties.
type Timeouts struct {
	// Dial bounds each TCP connect.
	Dial time.Duration
	// Read bounds waiting for each response, including the TLS and SASL
	// handshakes.
	Read time.Duration
	// Write bounds each request write.
	Write time.Duration
	// Metadata, when > 0, caps one whole metadata refresh across all
	// brokers tried (sarama's Metadata.Timeout). Zero leaves it bounded
	// only by the per-broker timeouts.
	Metadata time.Duration
}

func (t Timeouts) withDefaults() Timeouts {
	if t.Dial <= 0 {
		t.Dial = DefaultDialTimeout
	}
	if t.Read <= 0 {
		t.Read = DefaultReadTimeout
	}
	if t.Write <= 0 {
		t.Write = DefaultWriteTimeout
	}
	return t
}

// SaramaConfig builds a sarama configuration tuned for an outage-diagnostic
// tool: fail fast instead of retrying, never create topics, fetch metadata
// only for what is asked, no background refresh (the tool snapshots state
// explicitly), and the protocol version negotiated with ApiVersions up to
// Kafka 4.0 (sarama lowers each request to what the broker supports).
// Producer and consumer settings are sarama's defaults.
//
// The returned config holds the SASL password in clear text (sarama needs
// it); never print or log it. Errors are *ConfigError.
func (s *Settings) SaramaConfig(t Timeouts) (*sarama.Config, error) {
	t = t.withDefaults()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V4_0_0_0
	cfg.ApiVersionsRequest = true
	cfg.ClientID = s.ClientID
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}

	cfg.Net.DialTimeout = t.Dial
	cfg.Net.ReadTimeout = t.Read
	cfg.Net.WriteTimeout = t.Write
	cfg.Net.KeepAlive = keepAlive
	cfg.Net.ResolveCanonicalBootstrapServers = s.canonDNS

	cfg.Metadata.Retry.Max = 0
	cfg.Metadata.AllowAutoTopicCreation = false
	cfg.Metadata.Full = false
	cfg.Metadata.RefreshFrequency = 0
	cfg.Metadata.Timeout = t.Metadata

	if s.SecurityProtocol.UsesTLS() {
		cfg.Net.TLS.Enable = true
		cfg.Net.TLS.Config = s.TLSConfig()
	}
	if s.SecurityProtocol.UsesSASL() {
		cfg.Net.SASL.Enable = true
		cfg.Net.SASL.Mechanism = sarama.SASLMechanism(s.SASL.Mechanism)
		cfg.Net.SASL.User = s.SASL.Username
		cfg.Net.SASL.Password = s.SASL.Password.Reveal()
		cfg.Net.SASL.Handshake = true
		cfg.Net.SASL.Version = sarama.SASLHandshakeV1
		if mech := s.SASL.Mechanism; mech == sarama.SASLTypeSCRAMSHA256 || mech == sarama.SASLTypeSCRAMSHA512 {
			cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAMClient(mech) }
		}
		switch {
		case s.tokens != nil:
			// OAUTHBEARER, and MSK IAM's signed token, which MSK's IAM
			// listeners take over OAUTHBEARER.
			cfg.Net.SASL.Mechanism = sarama.SASLTypeOAuth
			cfg.Net.SASL.TokenProvider = saramaTokens{src: s.tokens, timeout: t.Read, extensions: s.SASL.extensions()}
		case s.SASL.Kerberos != nil:
			cfg.Net.SASL.GSSAPI = s.SASL.Kerberos.saramaGSSAPI()
		}
	}
	if err := cfg.Validate(); err != nil {
		// sarama's messages name fields, not values, so this is safe to show.
		return nil, &ConfigError{Problem: "invalid client configuration", Err: err}
	}
	return cfg, nil
}
