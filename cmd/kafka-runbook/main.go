// Command kafka-runbook diagnoses Kafka clusters during incidents.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kafka-runbook/kafka-runbook/internal/cli"
)

// version, commit and date are set at build time (Makefile):
// -ldflags "-X main.version=v1.2.3 -X main.commit=... -X main.date=...".
// Left empty, the commit and date come from the binary's VCS stamp.
var version, commit, date = "", "", ""

func main() {
	// Ctrl-C and SIGTERM end the command's context with the signal as its
	// cause, so a command stops at once, says where, and exits 128+N. A
	// second one does not wait for the command to wind down.
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		first := &cli.Interrupt{Signal: <-signals}
		cancel(first)
		<-signals
		os.Exit(first.Code())
	}()
	code := cli.Main(ctx, &cli.App{IO: cli.SystemIO(), Getenv: os.Getenv, Version: version, Commit: commit, BuildDate: date}, os.Args[1:])
	signal.Stop(signals)
	cancel(nil)
	os.Exit(code)
}
