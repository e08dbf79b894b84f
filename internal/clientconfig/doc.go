// Package clientconfig turns connection settings written the way Kafka users
// already write them into a *sarama.Config.
//
// Three inputs are merged, like Kafka's CLI tools and kcat:
//
//   - --bootstrap-server/-b host:port,... (or KAFKA_BOOTSTRAP_SERVERS);
//   - --command-config FILE: Java client properties (see ParseProperties);
//   - -X key=value overrides, applied after the file, in order.
//
// Call Load with the flag values, then (*Settings).SaramaConfig. Load reads
// and checks everything up front, so a bad truststore password is reported
// before any connection is tried, as a *ConfigError ("bad input").
//
// # Keys
//
// Used (Java names, plus the librdkafka/kcat names in brackets):
//
//	bootstrap.servers
//	security.protocol                  PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
//	sasl.mechanism [sasl.mechanisms]   PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, GSSAPI, AWS_MSK_IAM
//	sasl.jaas.config                   PlainLoginModule, ScramLoginModule, OAuthBearerLoginModule
//	                                   (clientId, clientSecret, scope, extension_*), Krb5LoginModule
//	                                   (useKeyTab, keyTab, principal, or useTicketCache), IAMLoginModule
//	                                   (awsProfileName, awsRoleArn, awsRoleSessionName)
//	[sasl.username, sasl.password]
//	sasl.oauthbearer.token.endpoint.url   client-credentials token endpoint (http or https)
//	sasl.oauthbearer.client.credentials.client.id, ...client.secret, sasl.oauthbearer.scope  (Kafka 4.1 keys)
//	sasl.oauthbearer.header.urlencode, sasl.login.refresh.window.factor
//	sasl.login.callback.handler.class  ignored with OAUTHBEARER; MSK's IAMOAuthBearerLoginCallbackHandler selects
//	                                   MSK IAM; refused with PLAIN and SCRAM (it would supply the password)
//	sasl.client.callback.handler.class only MSK's handlers
//	sasl.kerberos.service.name         the brokers' Kerberos service, usually kafka
//	java.security.krb5.conf            krb5.conf (else KRB5_CONFIG, else /etc/krb5.conf)
//	ssl.truststore.type                PEM or PKCS12 (JKS: convert with keytool)
//	ssl.truststore.location, ssl.truststore.password
//	ssl.truststore.certificates        inline PEM
//	[ssl.ca.location]                  PEM/DER file, directory, or "probe"
//	[ssl.ca.pem]
//	ssl.keystore.type                  PEM or PKCS12
//	ssl.keystore.location, ssl.keystore.password, ssl.key.password
//	ssl.keystore.key, ssl.keystore.certificate.chain   inline PEM
//	[ssl.certificate.location, ssl.key.location, ssl.certificate.pem, ssl.key.pem]
//	ssl.endpoint.identification.algorithm  https (default) or empty/[none]
//	ssl.enabled.protocols              limits TLS versions
//	[enable.ssl.certificate.verification]  only "true"; use --insecure-skip-tls-verify
//	client.id                          default "kafka-runbook"
//	client.dns.lookup                  resolve_canonical_bootstrap_servers_only
//
// Common Java client keys that do not matter to a read-only diagnostic tool
// (timeouts, retries, consumer and producer tuning, see ignoredKeys) are
// accepted and listed in Settings.Ignored. Any other key is an error naming
// the key, so a typo such as "ssl.truststore.loaction" never silently turns
// into "trust the system CAs".
//
// # Secrets
//
// Passwords, sasl.jaas.config and private keys are never put in an error or
// in Settings' printed forms; see Secret and (Settings).Redacted. Secrets can
// always be given in the --command-config file, so they never have to be on
// a command line; giving them with -X works but adds a Settings.Warnings entry.
//
// # Limits
//
// OAUTHBEARER tokens and MSK IAM's signed tokens are fetched on the first
// login and again after sasl.login.refresh.window.factor (0.8) of their life.
// AWS_MSK_IAM is sent as MSK's OAUTHBEARER form (the token of the
// AWS-maintained signer), which MSK IAM listeners accept; it is checked
// against the signer's form here, not against a live MSK cluster.
//
// Not supported: Kerberos passwords (use a keytab or ticket cache), OAuth
// JWT-bearer assertions and file: token endpoints, custom login and callback
// classes, SCRAM delegation tokens, JKS/JCEKS stores, Kafka config providers ("${file:...}"),
// private keys encrypted with scrypt or PBES1 (PBES2 with PBKDF2 and AES or
// 3DES, i.e. what OpenSSL and Java write by default, is supported).
package clientconfig
