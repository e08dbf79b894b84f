package clientconfig

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// mechanismsHint lists the SASL mechanisms for messages.
const mechanismsHint = "use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, GSSAPI or AWS_MSK_IAM"

// moduleMechanism is the sasl.mechanism each login module goes with.
var moduleMechanism = map[string]string{
	modulePlain:  sarama.SASLTypePlaintext,
	moduleOAuth:  sarama.SASLTypeOAuth,
	moduleKrb5:   sarama.SASLTypeGSSAPI,
	moduleMSKIAM: mechanismMSKIAM,
}

// isTokenMechanism reports the mechanisms that log in with something other
// than a user name and password: a token or a Kerberos ticket.
func isTokenMechanism(mech string) bool {
	return mech == sarama.SASLTypeOAuth || mech == sarama.SASLTypeGSSAPI || mech == mechanismMSKIAM
}

// mskOAuthHandler reports MSK's OAUTHBEARER form: the aws-msk-iam-auth
// login callback handler named in sasl.login.callback.handler.class.
func (s *Settings) mskOAuthHandler() bool {
	return s.entries.value(keyLoginCallbackHandler) == mskOAuthLoginHandler
}

// checkClientCallback refuses sasl.client.callback.handler.class unless it
// is one of MSK's, whose job the MSK IAM login does.
func (s *Settings) checkClientCallback() error {
	if e, ok := s.entries.get(keyClientCallback); ok && e.value != "" && e.value != mskClientHandler && e.value != mskOAuthLoginHandler {
		return e.errorf("remove it: custom SASL callbacks are not supported", "names a class kafka-runbook cannot run")
	}
	return nil
}

// resolveLogin configures OAUTHBEARER, GSSAPI and AWS MSK IAM.
func (s *Settings) resolveLogin(opts Options, mech string) error {
	for _, k := range []string{keySASLUsername, keySASLPassword} {
		if e, ok := s.entries.get(k); ok && e.value != "" {
			return e.errorf("remove it: "+mech+" logs in with sasl.jaas.config", "does not apply to sasl.mechanism=%s", mech)
		}
	}
	jaas, hasJAAS := s.entries.get(keySASLJAASConfig)
	cfg := jaasConfig{options: map[string]string{}}
	if hasJAAS {
		var err error
		if cfg, err = parseJAAS(jaas.value); err != nil {
			return &ConfigError{Key: jaas.key, Source: jaas.source, Line: jaas.line, Problem: err.Error(), Hint: saslHint}
		}
	}
	if mech == "" {
		mech = sarama.SASLTypeOAuth // MSK's login handler names no mechanism of its own
	}
	switch {
	case mech == mechanismMSKIAM || (mech == sarama.SASLTypeOAuth && s.mskOAuthHandler()):
		return s.resolveMSKIAM(opts, jaas, cfg, mech)
	case mech == sarama.SASLTypeGSSAPI:
		if !hasJAAS {
			return &ConfigError{Key: keySASLJAASConfig, Problem: "is not set",
				Hint: `GSSAPI needs sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="/path/client.keytab" principal="client@REALM";`}
		}
		s.SASL.Mechanism = mech
		return s.resolveKerberos(opts, jaas, cfg)
	}
	s.SASL.Mechanism = mech
	return s.resolveOAuth(jaas, hasJAAS, cfg)
}

// resolveOAuth reads the client-credentials login. Kafka 4.1's
// sasl.oauthbearer.client.credentials.* and sasl.oauthbearer.scope win over
// the JAAS options clientId, clientSecret and scope, as in Kafka.
func (s *Settings) resolveOAuth(jaas entry, hasJAAS bool, cfg jaasConfig) error {
	if hasJAAS && cfg.module != moduleOAuth {
		return jaas.errorf("use org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "+
			`clientId="..." clientSecret="...";`, "uses %s but sasl.mechanism is OAUTHBEARER", cfg.module)
	}
	pick := func(key, option string) string {
		if v := s.entries.value(key); v != "" {
			return v
		}
		return cfg.options[option]
	}
	o := &OAuth{
		TokenEndpoint: s.entries.value(keyOAuthTokenEndpoint),
		ClientID:      pick(keyOAuthClientID, "clientId"),
		ClientSecret:  NewSecret(pick(keyOAuthClientSecret, "clientSecret")),
		Scope:         pick(keyOAuthScope, "scope"),
		RefreshFactor: defaultRefreshFactor,
	}
	for k, v := range cfg.options {
		if name, ok := strings.CutPrefix(k, "extension_"); ok && name != "" {
			if o.Extensions == nil {
				o.Extensions = map[string]string{}
			}
			o.Extensions[name] = v
		}
	}
	if e, ok := s.entries.get(keyRefreshWindowFactor); ok {
		f, err := strconv.ParseFloat(e.value, 64)
		if err != nil || f < 0.5 || f > 1 {
			return e.errorf("use a number from 0.5 to 1.0, e.g. 0.8", "is %q", e.value)
		}
		o.RefreshFactor = f
	}
	if e, ok := s.entries.get(keyOAuthHeaderURLEncode); ok {
		b, err := strconv.ParseBool(e.value)
		if err != nil {
			return e.errorf("use true or false", "is %q", e.value)
		}
		o.URLEncodeHeader = b
	}
	if err := checkTokenEndpoint(s.entries, o.TokenEndpoint); err != nil {
		return err
	}
	if o.ClientID == "" || !o.ClientSecret.IsSet() {
		return &ConfigError{Key: keySASLJAASConfig, Problem: "has no clientId and clientSecret",
			Hint: "write sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required " +
				`clientId="..." clientSecret="..."; in the --command-config file`}
	}
	s.SASL.OAuth = o
	s.SASL.Username = o.ClientID
	s.tokens = newOAuthSource(o, &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}, time.Now)
	return nil
}

// checkTokenEndpoint requires an http or https URL: Kafka's file: form
// (a token written by another process) is not supported.
func checkTokenEndpoint(es *entrySet, raw string) error {
	e, ok := es.get(keyOAuthTokenEndpoint)
	if !ok || raw == "" {
		return &ConfigError{Key: keyOAuthTokenEndpoint, Problem: "is not set",
			Hint: "set it to the identity provider's token URL, e.g. https://idp.example.com/oauth2/token"}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return e.errorf("use an http:// or https:// URL; file: token endpoints are not supported", "is not an http(s) URL")
	}
	if u.User != nil {
		return e.errorf("give the client id and secret in sasl.jaas.config, not in the URL", "holds credentials")
	}
	return nil
}

// resolveMSKIAM reads the AWS MSK IAM login: sasl.mechanism=AWS_MSK_IAM with
// IAMLoginModule, or OAUTHBEARER with MSK's login callback handler.
func (s *Settings) resolveMSKIAM(opts Options, jaas entry, cfg jaasConfig, mech string) error {
	if jaas.key != "" && cfg.module != moduleMSKIAM && cfg.module != moduleOAuth {
		return jaas.errorf("use software.amazon.msk.auth.iam.IAMLoginModule required;", "uses %s but the login is AWS MSK IAM", cfg.module)
	}
	if !s.SecurityProtocol.UsesTLS() {
		return &ConfigError{Key: keySecurityProtocol, Problem: "is " + string(s.SecurityProtocol) + ", but MSK IAM listeners use TLS",
			Hint: "set security.protocol=SASL_SSL"}
	}
	m := &MSKIAM{Region: mskRegion(s.BootstrapServers, opts.Getenv), Profile: cfg.options["awsProfileName"],
		RoleARN: cfg.options["awsRoleArn"], RoleSessionName: cfg.options["awsRoleSessionName"]}
	if m.Region == "" {
		return &ConfigError{Key: keySASLMechanism, Problem: "AWS MSK IAM needs the cluster's region",
			Hint: "bootstrap from the MSK broker host names (…kafka.REGION.amazonaws.com) or set AWS_REGION"}
	}
	s.SASL.Mechanism = mech
	s.SASL.MSKIAM = m
	s.tokens = newMSKSource(m, opts.awsCredentials, time.Now)
	return nil
}

// saramaTokens adapts a tokenSource to sarama, whose Token takes no context:
// each fetch gets its own deadline.
type saramaTokens struct {
	src        *tokenSource
	timeout    time.Duration
	extensions map[string]string
}

func (t saramaTokens) Token() (*sarama.AccessToken, error) {
	ctx, cancel := context.WithTimeout(context.Background(), t.timeout)
	defer cancel()
	tok, err := t.src.Token(ctx)
	if err != nil {
		return nil, err
	}
	return &sarama.AccessToken{Token: tok, Extensions: t.extensions}, nil
}

// describeLogin is the one-line, secret-free account of the login for
// Redacted: which identity logs in where.
func (s SASL) describeLogin() map[string]string {
	out := map[string]string{}
	switch {
	case s.OAuth != nil:
		out[keyOAuthTokenEndpoint] = s.OAuth.TokenEndpoint
		out["sasl.oauthbearer.client.id"] = s.OAuth.ClientID
	case s.Kerberos != nil:
		out["sasl.kerberos.principal"] = s.Kerberos.Principal
		out[keyKerberosServiceName] = s.Kerberos.ServiceName
		out[keyKrb5Conf] = s.Kerberos.ConfigPath
		if s.Kerberos.KeytabPath != "" {
			out["sasl.kerberos.keytab"] = s.Kerberos.KeytabPath
		}
	case s.MSKIAM != nil:
		out["aws.region"] = s.MSKIAM.Region
		if s.MSKIAM.Profile != "" {
			out["aws.profile"] = s.MSKIAM.Profile
		}
		if s.MSKIAM.RoleARN != "" {
			out["aws.role.arn"] = s.MSKIAM.RoleARN
		}
	}
	return out
}

// extensions are the SASL extensions sent with a token, nil for none.
func (s SASL) extensions() map[string]string {
	if s.OAuth == nil {
		return nil
	}
	return s.OAuth.Extensions
}

// String describes the login without any secret: mechanism, identity,
// where it logs in, and "[redacted]" for each secret it holds.
func (s SASL) String() string {
	parts := []string{"mechanism=" + s.Mechanism}
	if s.Username != "" {
		parts = append(parts, "username="+s.Username)
	}
	if s.Password.IsSet() {
		parts = append(parts, "password="+RedactedText)
	}
	login := s.describeLogin()
	for _, k := range slices.Sorted(maps.Keys(login)) {
		parts = append(parts, k+"="+login[k])
	}
	if s.OAuth != nil && s.OAuth.ClientSecret.IsSet() {
		parts = append(parts, "client.secret="+RedactedText)
	}
	return "SASL{" + strings.Join(parts, " ") + "}"
}

// Format makes every fmt verb print String(). It is needed on the whole
// login, not only on its secrets: fmt's error path (a pointer field
// printed with %s) prints nested values without calling their methods,
// which would show a Secret's value.
func (s SASL) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// Format prints the OAuth login as SASL.String does, never the secret.
func (o OAuth) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, SASL{Mechanism: "OAUTHBEARER", OAuth: &o}.String())
}

// Format prints the Kerberos login as SASL.String does.
func (k Kerberos) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, SASL{Mechanism: "GSSAPI", Kerberos: &k}.String())
}

// Format prints the MSK IAM login as SASL.String does.
func (m MSKIAM) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, SASL{Mechanism: mechanismMSKIAM, MSKIAM: &m}.String())
}
