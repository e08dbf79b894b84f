// Package kafkatest runs a real Apache Kafka cluster (4.1 KRaft by default) on 127.0.0.1 for integration
// tests: one controller-only node (id 9) and three broker-only nodes (ids 1, 2, 3), each its own
// JVM, with fast-failure settings so that fencing and ISR changes happen within seconds.
// Options.Controllers 3 gives a three-voter quorum (ids 9, 10, 11) for quorum faults.
//
// The brokers run from Maven-fetched jars (see pom.xml and fetch-jars.sh), cached outside version
// control in <module root>/.cache/kafka-libs or in $KAFKA_RUNBOOK_KAFKA_LIBS. Start fetches them
// itself when they are missing, so plain `go test ./...` works on a machine with Java 17 and Maven.
//
// Options.Version runs any other kafka_2.13 release Maven Central serves, from its own jar
// directory (the same path with "-VERSION" appended, fetched from pom-matrix.xml); the test
// matrix's versions are listed in matrix-versions (MatrixVersions). Options.ZooKeeper runs a
// Kafka 3.x cluster in ZooKeeper mode: a ZooKeeper server from the same jars instead of the
// KRaft controller, and the three brokers registered there.
//
// Tests that call Start are skipped under -short and when Java or Maven is missing, unless
// KAFKA_RUNBOOK_REQUIRE_KAFKA=1 (set in CI), which turns the skip into a failure so that
// integration tests cannot silently stop running.
//
// Options.Security gives every broker secured client listeners next to its PLAINTEXT one: TLS
// with certificates from a CA made in Go for the run (CA), mutual TLS, SASL/PLAIN and
// SASL/SCRAM over TLS, and can turn on the StandardAuthorizer; CreateACLs grants rights and
// ListenerBootstrap gives a client the secured addresses. Replication, the controller and the
// harness's own helpers stay on PLAINTEXT, where User:ANONYMOUS is a super user.
//
// The fault methods (Kill, Pause, Resume, Restart, Stop) act on one node by id, controller or
// broker. Proxies the harness owns add the network faults: Options.ProxiedBrokers puts a
// broker behind a Proxy that can leave chosen APIs unanswered (Proxy.Hang), and
// Options.ControllerProxies lets IsolateFromController cut one broker off the quorum, so that
// it is fenced while it still serves. The data helpers (CreateTopic, Produce, CommitOffset,
// StartConsumer, Reassign) exist for tests only: the product itself never writes to a
// cluster. QuorumStatus, QuorumReplication and ConsumerGroupsDescribe run Kafka's own tools
// and parse their output, for comparison with the product's findings.
package kafkatest
