# kafka-runbook build, test and lint.
#
#   make demo   build and run the demo on a simulated incident (no cluster needed)
#   make test   unit tests, then integration tests on real Apache Kafka brokers
#               (fetches the Kafka jars with Maven on first use)

GO          ?= go
BIN         := bin/kafka-runbook
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BUILD_DATE  ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS     := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(BUILD_DATE)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Packages whose tests start real Kafka clusters. They run one at a time:
# each cluster is four JVMs, and the machine has two cores.
INTEGRATION := ./internal/kafkatest/... ./test/...

# Fuzz targets (package:Name), each run for FUZZTIME by `make fuzz`; their
# seed corpora live in each package's testdata/fuzz and run in every `go test`.
FUZZTIME    ?= 10s
FUZZ_TARGETS := ./internal/clientconfig:FuzzParseProperties ./internal/clientconfig:FuzzParseBootstrap \
	./internal/clientconfig:FuzzLoad ./diag/snapshot:FuzzDecode ./diag/checks:FuzzChecksOnOddSnapshots \
	./internal/triage:FuzzReportAndViewsOnOddSnapshots ./runbooks:FuzzParse ./internal/sim:FuzzParseScenario

.PHONY: all build test unit integration lint demo kafka-jars fuzz clean

all: lint test build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/kafka-runbook

demo: build
	./$(BIN) demo

# Unit tests skip the real-cluster tests (-short); integration runs them.
test: unit integration

unit:
	$(GO) test -short -count=1 ./...

integration: kafka-jars
	$(GO) test -p 1 -count=1 -timeout 40m $(INTEGRATION)

# Every Kafka version the integration tests run: pom.xml's and the matrix's (matrix-versions).
kafka-jars:
	./internal/kafkatest/fetch-jars.sh all >/dev/null

fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run=NONE -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	done

# Go benchmarks on generated 100,000-partition, 50-broker, 5,000-group snapshots and a
# simulated 10,000-partition cluster (docs/PERFORMANCE.md). BENCHTIME=1s for steadier numbers.
# bench/compare.sh, the comparison with Kafka's own tools on a real cluster, is run by hand.
BENCHTIME   ?= 3x
.PHONY: bench
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -timeout 30m \
		./diag/checks ./diag/snapshot ./diag/collect ./internal/triage ./internal/views

lint:
	@fmt=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

clean:
	rm -rf bin
