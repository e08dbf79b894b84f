// Command kafka-runbook diagnoses Kafka clusters during incidents.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kafka-runbook/kafka-runbook/internal/cli"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, &cli.App{IO: cli.SystemIO(), Getenv: os.Getenv, Version: version}, os.Args[1:])
	stop()
	os.Exit(code)
}
