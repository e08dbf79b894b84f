package clientconfig

import (
	"errors"
	"fmt"
	"strings"

	"github.com/IBM/sarama"
)

// saslHint tells users how to write credentials; used by several errors.
const saslHint = "set sasl.jaas.config, e.g. org.apache.kafka.common.security.plain.PlainLoginModule " +
	`required username="alice" password="..."; (or kcat-style sasl.username and sasl.password)`

// resolveSASL fills s.SASL from sasl.mechanism and either sasl.jaas.config
// or the kcat-style sasl.username/sasl.password pair.
func (s *Settings) resolveSASL(opts Options) error {
	credKeys := []string{keySASLJAASConfig, keySASLUsername, keySASLPassword, keyOAuthTokenEndpoint, keyOAuthClientSecret}
	if !s.SecurityProtocol.UsesSASL() {
		// Kafka would ignore these; we refuse, because credentials that are
		// silently not sent turn into a confusing "connection closed" later.
		for _, k := range credKeys {
			if e, ok := s.entries.get(k); ok && e.value != "" {
				return e.errorf("set security.protocol=SASL_SSL (or SASL_PLAINTEXT) to log in, or remove the key",
					"is set but security.protocol is %s, which does not use SASL", s.SecurityProtocol)
			}
		}
		return nil
	}
	mech, hasMech, err := s.saslMechanism()
	if err != nil {
		return err
	}
	if err := s.checkClientCallback(); err != nil {
		return err
	}
	if isTokenMechanism(mech) || s.mskOAuthHandler() {
		return s.resolveLogin(opts, mech)
	}
	if e, ok := s.entries.get(keyLoginCallbackHandler); ok && e.value != "" {
		// A PLAIN or SCRAM callback handler supplies the password from
		// elsewhere (a vault, say): ignoring it would log in without one.
		return e.errorf("put the credentials in sasl.jaas.config", "custom login callbacks are not supported for %s", mech)
	}
	jaas, hasJAAS := s.entries.get(keySASLJAASConfig)
	user, hasUser := s.entries.get(keySASLUsername)
	pass, hasPass := s.entries.get(keySASLPassword)
	switch {
	case hasJAAS && (hasUser || hasPass):
		return jaas.errorf("keep one way of giving credentials", "is set together with sasl.username/sasl.password")
	case hasJAAS:
		return s.saslFromJAAS(jaas, mech, hasMech)
	case hasUser || hasPass:
		if !hasUser || user.value == "" {
			return &ConfigError{Key: keySASLUsername, Problem: "is missing or empty", Hint: "sasl.password needs sasl.username"}
		}
		if !hasPass || pass.value == "" {
			return user.errorf("set sasl.password in the --command-config file", "needs sasl.password, which is missing or empty")
		}
		if !hasMech {
			// Java and librdkafka would default to GSSAPI; guessing PLAIN
			// could send a password in the clear to a SCRAM listener.
			return &ConfigError{Key: keySASLMechanism, Problem: "is not set",
				Hint: "set sasl.mechanism=PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"}
		}
		s.SASL = SASL{Mechanism: mech, Username: user.value, Password: NewSecret(pass.value)}
		return nil
	}
	e, _ := s.entries.get(keySecurityProtocol)
	return e.errorf(saslHint, "is %s but no SASL credentials are set", s.SecurityProtocol)
}

// saslMechanism reads sasl.mechanism (or librdkafka's sasl.mechanisms).
func (s *Settings) saslMechanism() (mech string, ok bool, err error) {
	e, ok := s.entries.get(keySASLMechanism)
	if !ok {
		e, ok = s.entries.get(keySASLMechanisms)
	}
	if !ok || e.value == "" {
		return "", false, nil
	}
	switch m := strings.ToUpper(e.value); m {
	case sarama.SASLTypePlaintext, sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512,
		sarama.SASLTypeGSSAPI, sarama.SASLTypeOAuth, mechanismMSKIAM:
		return m, true, nil
	default:
		return "", false, e.errorf(mechanismsHint, "unknown SASL mechanism %q", e.value)
	}
}

// saslFromJAAS parses sasl.jaas.config and checks it agrees with the mechanism.
func (s *Settings) saslFromJAAS(jaas entry, mech string, hasMech bool) error {
	cfg, err := parseJAAS(jaas.value)
	if err != nil {
		hint := saslHint
		if errors.Is(err, errJAASUnsupported) {
			hint = "use PlainLoginModule (PLAIN), ScramLoginModule (SCRAM-SHA-256/512), OAuthBearerLoginModule (OAUTHBEARER), " +
				"Krb5LoginModule (GSSAPI) or IAMLoginModule (AWS_MSK_IAM)"
		}
		return &ConfigError{Key: jaas.key, Source: jaas.source, Line: jaas.line, Problem: err.Error(), Hint: hint}
	}
	if !hasMech {
		if m, ok := moduleMechanism[cfg.module]; ok && m != sarama.SASLTypePlaintext {
			return &ConfigError{Key: keySASLMechanism, Problem: "is not set",
				Hint: fmt.Sprintf("%s needs sasl.mechanism=%s", cfg.module, m)}
		}
		if cfg.module != modulePlain {
			return &ConfigError{Key: keySASLMechanism, Problem: "is not set",
				Hint: "ScramLoginModule needs sasl.mechanism=SCRAM-SHA-256 or SCRAM-SHA-512"}
		}
		// PlainLoginModule only does PLAIN, so there is nothing to guess.
		mech = sarama.SASLTypePlaintext
	}
	want := moduleScram
	if mech == sarama.SASLTypePlaintext {
		want = modulePlain
	}
	if cfg.module != want {
		if m, ok := moduleMechanism[cfg.module]; ok && cfg.module != moduleScram {
			return jaas.errorf(fmt.Sprintf("set sasl.mechanism=%s", m), "uses %s but sasl.mechanism is %s", cfg.module, mech)
		}
		return jaas.errorf(fmt.Sprintf("use org.apache.kafka.common.security.%s for %s",
			map[string]string{modulePlain: "plain.PlainLoginModule", moduleScram: "scram.ScramLoginModule"}[want], mech),
			"uses %s but sasl.mechanism is %s", cfg.module, mech)
	}
	s.SASL = SASL{Mechanism: mech, Username: cfg.username, Password: NewSecret(cfg.password)}
	return nil
}
