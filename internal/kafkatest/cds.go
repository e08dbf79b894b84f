package kafkatest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// ensureCDS returns a class-data-sharing archive of the classes a Kafka node loads while
// starting, creating it on first use. Measured on two cores: a controller JVM starts in 0.7 s
// instead of 1.2-1.7 s, a whole cluster in about 6 s instead of 7.5 s. It is an optimisation
// only: on any failure the nodes run without it. The ".tried" marker is written before the
// attempt and removed on success, so a failed or interrupted attempt (or a read-only jar
// directory) is not paid for again by every later test; delete the marker to retry.
func ensureCDS(t testing.TB, j jvm, javaVersion string) string {
	t.Helper()
	path := cdsPath(j, javaVersion)
	tried := path + ".tried"
	if exists(path) {
		return path
	}
	if exists(tried) {
		return ""
	}
	unlock, err := lockLibs(j.libs)
	if err != nil {
		t.Logf("kafkatest: no CDS archive: %v", err)
		return ""
	}
	defer unlock()
	if exists(path) {
		return path // created by another test binary while we waited
	}
	if exists(tried) || os.WriteFile(tried, nil, 0o644) != nil {
		return ""
	}
	began := time.Now()
	if err := createCDS(j, path); err != nil {
		t.Logf("kafkatest: no CDS archive, JVMs will start slower: %v", err)
		_ = os.WriteFile(tried, []byte(err.Error()+"\n"), 0o644)
		return ""
	}
	_ = os.Remove(tried)
	t.Logf("kafkatest: created CDS archive %s in %s", path, time.Since(began).Round(time.Millisecond))
	return path
}

// cdsPath keys the archive by JVM and jar set, because a JVM refuses (with a warning) an
// archive made by another build or with another class path.
func cdsPath(j jvm, javaVersion string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", j.java, javaVersion)
	jars, _ := filepath.Glob(filepath.Join(j.libs, "*.jar"))
	for _, jar := range jars {
		fmt.Fprintln(h, filepath.Base(jar))
	}
	return filepath.Join(j.libs, ".kafkatest-cds-"+hex.EncodeToString(h.Sum(nil))[:16]+".jsa")
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// createCDS starts one combined broker+controller node with -XX:ArchiveClassesAtExit, waits
// until it answers Metadata, and stops it gracefully: the JVM writes the archive as it exits.
func createCDS(j jvm, path string) error {
	dir, err := os.MkdirTemp("", "kafkatest-cds-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	broker := loopback + ":" + strconv.Itoa(ports[0])
	controller := loopback + ":" + strconv.Itoa(ports[1])
	props, log4j, logPath := filepath.Join(dir, "server.properties"), filepath.Join(dir, "log4j2.xml"), filepath.Join(dir, "kafka.log")
	if err := writeProperties(props, map[string]string{
		"node.id": "1", "process.roles": "broker,controller",
		"controller.quorum.voters":       "1@" + controller,
		"controller.listener.names":      "CONTROLLER",
		"listeners":                      "PLAINTEXT://" + broker + ",CONTROLLER://" + controller,
		"listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
		"inter.broker.listener.name":     "PLAINTEXT",
		"log.dirs":                       filepath.Join(dir, "data"),
	}); err != nil {
		return err
	}
	if err := os.WriteFile(log4j, []byte(nodeLog4j), 0o644); err != nil {
		return err
	}
	j.cds = ""
	format := j.cmd(context.Background(), dir, toolHeap, log4j, "kafka.tools.StorageTool",
		"format", "--cluster-id", newClusterID(), "--config", props)
	if out, err := format.CombinedOutput(); err != nil {
		return fmt.Errorf("formatting: %v\n%s", err, out)
	}
	j.dump = path + ".tmp"
	if err := runUntilUp(j, dir, props, log4j, logPath, broker); err != nil {
		return err
	}
	if !exists(j.dump) {
		return fmt.Errorf("the JVM wrote no archive\n%s", tail(logPath, tailLines))
	}
	return os.Rename(j.dump, path)
}

func runUntilUp(j jvm, dir, props, log4j, logPath, addr string) error {
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := j.cmd(context.Background(), dir, brokerHeap, log4j, "kafka.Kafka", props)
	cmd.Stdout, cmd.Stderr = logf, logf
	p, err := startProcess(cmd)
	if err != nil {
		return err
	}
	defer p.kill()
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := ask(addr, probeTimeout, func(b *sarama.Broker, cfg *sarama.Config) (*sarama.MetadataResponse, error) {
			return b.GetMetadata(sarama.NewMetadataRequest(cfg.Version, nil))
		})
		if err == nil {
			break
		}
		if p.exited() || time.Now().After(deadline) {
			return fmt.Errorf("training node never answered: %v\n%s", err, tail(logPath, tailLines))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := p.signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(time.Minute):
		return errors.New("training node did not stop within a minute of SIGTERM")
	}
}
