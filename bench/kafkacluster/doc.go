// Package kafkacluster serves a real Apache Kafka cluster loaded for the
// end-to-end comparison in bench/compare.sh: thousands of partitions and
// hundreds of consumer groups with committed offsets, on the
// internal/kafkatest harness (one controller, three brokers, Kafka 4.1 from
// the Maven jars).
//
// Its only test, TestServe, is behind the kafkabench build tag and is started
// by compare.sh, never by `go test ./...` or CI:
//
//	KRB_BENCH_STATE=/tmp/krb go test -tags kafkabench -run TestServe -timeout 0 ./bench/kafkacluster
//
// It writes $KRB_BENCH_STATE/cluster.env once the cluster is loaded, stops
// broker 3 when $KRB_BENCH_STATE/kill appears, and shuts everything down
// when $KRB_BENCH_STATE/stop appears. See docs/PERFORMANCE.md.
package kafkacluster
