package clientconfig

import (
	"context"
	"fmt"
	"strings"

	"github.com/IBM/sarama"
	krb5client "github.com/jcmturner/gokrb5/v8/client"
	krb5config "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/kerberos"
)

// Kerberos is the SASL/GSSAPI login, configured as Java clients configure
// it: com.sun.security.auth.module.Krb5LoginModule in sasl.jaas.config
// (useKeyTab=true keyTab=... principal=..., or useTicketCache=true),
// sasl.kerberos.service.name, and the krb5.conf the JVM would read
// (java.security.krb5.conf, else KRB5_CONFIG, else /etc/krb5.conf).
type Kerberos struct {
	// ServiceName is the brokers' Kerberos service, usually "kafka": the
	// ticket asked for is SERVICE/broker-host.
	ServiceName string
	// Principal is the client principal as written, user@REALM.
	Principal string
	// Username and Realm are Principal split; Realm defaults to
	// krb5.conf's default_realm.
	Username, Realm string
	// KeytabPath is the keytab to log in with; "" with CCachePath set.
	KeytabPath string
	// CCachePath is the ticket cache to log in with (useTicketCache=true).
	CCachePath string
	// ConfigPath is the krb5.conf read.
	ConfigPath string
	// ConfigSource says where ConfigPath came from.
	ConfigSource string

	config *krb5config.Config
	keytab *keytab.Keytab
}

// Kerberos settings and their sources.
const (
	keyKrb5Conf       = "java.security.krb5.conf" // the JVM system property, as a client property
	envKrb5Config     = "KRB5_CONFIG"
	envKrb5CCName     = "KRB5CCNAME"
	defaultKrb5Config = "/etc/krb5.conf"
)

// resolveKerberos reads the Krb5LoginModule options, the service name and
// krb5.conf, and loads the keytab or ticket cache, so a wrong path or a
// file that is not a keytab is bad input before any connection.
func (s *Settings) resolveKerberos(opts Options, jaas entry, cfg jaasConfig) error {
	if cfg.module != moduleKrb5 {
		return jaas.errorf("use com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "+
			`keyTab="/path/client.keytab" principal="client@REALM";`, "uses %s but sasl.mechanism is GSSAPI", cfg.module)
	}
	k := &Kerberos{ServiceName: cfg.options["serviceName"]}
	if e, ok := s.entries.get(keyKerberosServiceName); ok && e.value != "" {
		k.ServiceName = e.value
	}
	if k.ServiceName == "" {
		// Java clients refuse too: guessing would ask the KDC for the wrong ticket.
		return &ConfigError{Key: keyKerberosServiceName, Problem: "is not set",
			Hint: "set sasl.kerberos.service.name to the brokers' Kerberos service, usually kafka"}
	}
	if err := k.loadConfig(s.entries, opts.Getenv); err != nil {
		return err
	}
	k.Principal = cfg.options["principal"]
	k.Username, k.Realm, _ = strings.Cut(k.Principal, "@")
	if k.Realm == "" {
		k.Realm = k.config.LibDefaults.DefaultRealm
	}
	useKeytab := strings.EqualFold(cfg.options["useKeyTab"], "true")
	useCache := strings.EqualFold(cfg.options["useTicketCache"], "true")
	switch {
	case useKeytab:
		if err := k.loadKeytab(jaas, cfg.options["keyTab"]); err != nil {
			return err
		}
	case useCache:
		k.CCachePath = cfg.options["ticketCache"]
		if k.CCachePath == "" && opts.Getenv != nil {
			k.CCachePath = strings.TrimPrefix(opts.Getenv(envKrb5CCName), "FILE:")
		}
		if k.CCachePath == "" {
			return jaas.errorf("set ticketCache=\"/tmp/krb5cc_UID\" in sasl.jaas.config or KRB5CCNAME", "useTicketCache=true names no ticket cache")
		}
		if _, err := credentials.LoadCCache(k.CCachePath); err != nil {
			return &ConfigError{Key: keySASLJAASConfig, Source: jaas.source, Line: jaas.line,
				Problem: "cannot read the Kerberos ticket cache " + k.CCachePath, Hint: "run kinit, or use a keytab (useKeyTab=true)"}
		}
	default:
		return jaas.errorf(`set useKeyTab=true keyTab="/path/client.keytab" principal="client@REALM" (or useTicketCache=true)`,
			"Krb5LoginModule needs a keytab or a ticket cache: passwords cannot be typed in")
	}
	if useKeytab && (k.Username == "" || k.Realm == "") {
		return jaas.errorf(`write principal="client@REALM"`, "Krb5LoginModule has no principal with a realm")
	}
	s.SASL.Kerberos = k
	s.SASL.Username = k.Principal
	return nil
}

// loadConfig finds and parses krb5.conf.
func (k *Kerberos) loadConfig(es *entrySet, getenv func(string) string) error {
	k.ConfigPath, k.ConfigSource = defaultKrb5Config, "the default"
	if e, ok := es.get(keyKrb5Conf); ok && e.value != "" {
		k.ConfigPath, k.ConfigSource = e.value, e.where()
	} else if getenv != nil && getenv(envKrb5Config) != "" {
		k.ConfigPath, k.ConfigSource = getenv(envKrb5Config), envKrb5Config
	}
	c, err := krb5config.Load(k.ConfigPath)
	if err != nil {
		return &ConfigError{Key: keyKrb5Conf, Problem: fmt.Sprintf("cannot read krb5.conf %s (from %s)", k.ConfigPath, k.ConfigSource),
			Err: err, Hint: "set java.security.krb5.conf in --command-config or KRB5_CONFIG to the cluster's krb5.conf"}
	}
	k.config = c
	return nil
}

// loadKeytab reads the keytab. Its contents never reach a message: only
// the path and whether it parsed.
func (k *Kerberos) loadKeytab(jaas entry, path string) error {
	if path == "" {
		return jaas.errorf(`add keyTab="/path/client.keytab"`, "useKeyTab=true names no keyTab")
	}
	kt, err := keytab.Load(path)
	if err != nil {
		return &ConfigError{Key: keySASLJAASConfig, Source: jaas.source, Line: jaas.line,
			Problem: "cannot read the keytab " + path + " (missing, unreadable or not a keytab)",
			Hint:    "point keyTab at the client's keytab, e.g. one written by kadmin ktadd or ktutil"}
	}
	k.KeytabPath, k.keytab = path, kt
	return nil
}

// saramaGSSAPI is sarama's form of the login.
func (k *Kerberos) saramaGSSAPI() sarama.GSSAPIConfig {
	g := sarama.GSSAPIConfig{
		AuthType: sarama.KRB5_KEYTAB_AUTH, KeyTabPath: k.KeytabPath, CCachePath: k.CCachePath,
		KerberosConfigPath: k.ConfigPath, ServiceName: k.ServiceName, Username: k.Username, Realm: k.Realm,
		// gokrb5 speaks no FAST; sending the PA-FX-FAST hint makes some KDCs
		// (Active Directory) insist on it.
		DisablePAFXFAST: true,
	}
	if k.CCachePath != "" {
		g.AuthType = sarama.KRB5_CCACHE_AUTH
	}
	return g
}

// kgoMechanism is franz-go's form: a fresh client per connection, which
// franz-go destroys after the handshake, so no renewal goroutine outlives
// the command.
func (k *Kerberos) kgoMechanism() sasl.Mechanism {
	return kerberos.Kerberos(func(context.Context) (kerberos.Auth, error) {
		return kerberos.Auth{Service: k.ServiceName, ClientFn: func(context.Context) *krb5client.Client {
			if k.CCachePath != "" {
				cc, err := credentials.LoadCCache(k.CCachePath)
				if err == nil {
					if c, err := krb5client.NewFromCCache(cc, k.config, krb5client.DisablePAFXFAST(true)); err == nil {
						return c
					}
				}
				// An unusable cache becomes a client that cannot log in; its
				// login error names the problem.
				return krb5client.NewWithPassword(k.Username, k.Realm, "", k.config, krb5client.DisablePAFXFAST(true))
			}
			return krb5client.NewWithKeytab(k.Username, k.Realm, k.keytab, k.config, krb5client.DisablePAFXFAST(true))
		}}, nil
	})
}
