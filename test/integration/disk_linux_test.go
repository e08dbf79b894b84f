package integration

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// envRequireTmpfs, set to 1 (CI), turns a tmpfs that cannot be mounted
// (not root, no mount permission) into a failure rather than a skip.
const envRequireTmpfs = "KAFKA_RUNBOOK_REQUIRE_TMPFS"

// The disk test's filesystem and producer: 64 MiB, written at about
// 0.8 MiB/s for the 20 seconds the commands take, so the test stops with
// most of it free (a full log dir would take the broker offline).
const (
	tmpfsSize    = "64m"
	recordBytes  = 16 << 10
	recordsEvery = 20 * time.Millisecond
)

// mountTmpfs mounts a small tmpfs on a new directory and unmounts it when
// the test ends, after the cluster (cleanups run last-registered first).
func mountTmpfs(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("real Kafka brokers do not run under -short")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+tmpfsSize); err != nil {
		msg := "cannot mount a tmpfs for the disk test (run as root): " + err.Error()
		if os.Getenv(envRequireTmpfs) == "1" {
			t.Fatalf("%s; %s=1, so this is a failure rather than a skip", msg, envRequireTmpfs)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// freeBytes is what the filesystem at dir has available, as Kafka reads
// it (File.getUsableSpace is statfs's f_bavail).
func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// steadyProducer writes incompressible records of recordBytes to one
// partition every recordsEvery until the test ends.
func steadyProducer(t *testing.T, c *kafkatest.Cluster, topic string) *atomic.Int64 {
	t.Helper()
	cl := franzClient(t, c, kgo.ProducerLinger(0), kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.RequiredAcks(kgo.AllISRAcks()))
	var failed atomic.Int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(recordsEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			value := make([]byte, recordBytes)
			_, _ = rand.Read(value)
			cl.Produce(context.Background(), &kgo.Record{Topic: topic, Value: value}, func(_ *kgo.Record, err error) {
				if err != nil && err != kgo.ErrClientClosed {
					failed.Add(1)
				}
			})
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-done
		cl.Close()
	})
	return &failed
}

// TestDiskFilling: broker 1's only log dir is a 64 MiB tmpfs that a
// producer fills. triage --sample reports LOG_DIR_LOW_SPACE for that broker
// and dir with a time to full within 30% of what the filesystem itself
// shows (statfs before and after), and run disk-pressure names the topic
// being written as the fastest-growing; so do a replay of an evidence
// watch bundle (triage --from, run disk-pressure --from).
func TestDiskFilling(t *testing.T) {
	dir := mountTmpfs(t)
	began := time.Now()
	c := kafkatest.Start(t, kafkatest.Options{LogDirAt: map[int32]string{1: dir}})
	small := map[string]string{"segment.bytes": "1048576", "segment.index.bytes": "65536"}
	c.CreateTopic(t, "fill", [][]int32{{1}}, small)
	c.CreateTopic(t, "quiet", [][]int32{{1}}, small)
	c.ProduceSized(t, "quiet", 0, 100, 1024)
	failed := steadyProducer(t, c, "fill")
	time.Sleep(2 * time.Second) // past the first segments and the client's warm-up

	free0, t0 := freeBytes(t, dir), time.Now()
	rep, r := triage(t, c, "--sample", "6s")
	checkTimeToFull(t, "triage --sample", dir, rep, r, fsWindow{free0, t0, freeBytes(t, dir), time.Now()})

	run := runCLI(t, "run", "disk-pressure", "-b", bootstrap(c), "--yes", "-o", "json", "--interval", "2s", "--plan-dir", t.TempDir())
	var tr struct {
		Steps []struct {
			ID      string `json:"id"`
			Verdict string `json:"verdict"`
			Tables  []struct {
				Title string     `json:"title"`
				Rows  [][]string `json:"rows"`
			} `json:"tables"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(run.stdout), &tr); err != nil || len(tr.Steps) != 3 {
		t.Fatalf("run disk-pressure: exit %d, %v\nstdout: %s\nstderr: %s", run.code, err, run.stdout, run.stderr)
	}
	growth := tr.Steps[1]
	t.Logf("run disk-pressure took %s, exit %d: %s", run.elapsed.Round(time.Millisecond), run.code, growth.Verdict)
	if !strings.Contains(growth.Verdict, "topic fill at") {
		t.Errorf("growth step does not name topic fill as the fastest-growing: %q", growth.Verdict)
	}
	for _, tbl := range growth.Tables {
		if strings.HasPrefix(tbl.Title, "Fastest-growing topics") && (len(tbl.Rows) == 0 || tbl.Rows[0][0] != "fill") {
			t.Errorf("%s: %q", tbl.Title, tbl.Rows)
		}
	}
	// evidence watch keeps the log dirs' space (and with --log-dirs their
	// replicas) in the bundle: a replay tells the same.
	bundle := filepath.Join(t.TempDir(), "bundle")
	free0, t0 = freeBytes(t, dir), time.Now()
	if w := runCLI(t, "evidence", "watch", "-b", bootstrap(c), "--interval", "1s", "--for", "5s", "--log-dirs", "--out", bundle); w.code != 0 {
		t.Fatalf("evidence watch: exit %d\n%s", w.code, w.stderr)
	}
	window := fsWindow{free0, t0, freeBytes(t, dir), time.Now()}
	replay := runCLI(t, "triage", "--from", bundle, "-o", "json")
	var replayed report
	if err := json.Unmarshal([]byte(replay.stdout), &replayed); err != nil {
		t.Fatalf("triage --from: exit %d, %v\n%s", replay.code, err, replay.stderr)
	}
	checkTimeToFull(t, "triage --from a watch bundle", dir, replayed, replay, window)
	if fromBundle := runCLI(t, "run", "disk-pressure", "--from", bundle, "--yes", "-o", "json"); !strings.Contains(fromBundle.stdout, "topic fill at") {
		t.Errorf("run disk-pressure --from the bundle does not name topic fill as the fastest-growing: exit %d\n%s", fromBundle.code, fromBundle.stderr)
	}

	if n := failed.Load(); n > 0 {
		t.Errorf("%d writes failed: the disk filled or the broker fell over", n)
	}
	t.Logf("disk test took %s; %d of %d bytes still free", time.Since(began).Round(time.Second), freeBytes(t, dir), int64(64<<20))
}

// fsWindow is what the filesystem had free at the start and end of a
// command that sampled it.
type fsWindow struct {
	free0 int64
	t0    time.Time
	free1 int64
	t1    time.Time
}

// checkTimeToFull finds LOG_DIR_LOW_SPACE for broker 1 and dir in a
// triage report and checks its time to full against the filesystem's own
// rate over the window, to within 30%.
func checkTimeToFull(t *testing.T, what, dir string, rep report, r result, w fsWindow) {
	t.Helper()
	measuredRate := float64(w.free0-w.free1) / w.t1.Sub(w.t0).Seconds()
	if measuredRate <= 0 {
		t.Fatalf("%s: the filesystem did not fill: %d then %d bytes free", what, w.free0, w.free1)
	}
	var doc struct {
		Cluster struct {
			TakenAt time.Time `json:"taken_at"`
		} `json:"cluster"`
		Findings []struct {
			Code   string `json:"code"`
			Broker *int32 `json:"broker"`
			LogDir string `json:"log_dir"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	// At the report's snapshot the filesystem had the bytes it has now
	// plus what was written since.
	atSnapshot := float64(w.free1) + measuredRate*w.t1.Sub(doc.Cluster.TakenAt).Seconds()
	wantTTF := atSnapshot / measuredRate
	var low *finding
	for i, f := range rep.Findings {
		if f.Code == "LOG_DIR_LOW_SPACE" && f.Broker != nil && *f.Broker == 1 && doc.Findings[i].LogDir == dir {
			low = &rep.Findings[i]
		}
	}
	if low == nil {
		t.Fatalf("%s: no LOG_DIR_LOW_SPACE for broker 1 and log_dir %s: %v (exit %d)\n%s", what, dir, keys(rep, "LOG_DIR_LOW_SPACE"), r.code, r.stderr)
	}
	gotTTF, _ := low.Evidence["seconds_to_full"].(float64)
	gotRate, _ := low.Evidence["fill_bytes_per_second"].(float64)
	t.Logf("%s: measured %.0f B/s, %.0f s to full; it says %.0f B/s, %.0f s (%s)", what, measuredRate, wantTTF, gotRate, gotTTF, low.Summary)
	if gotTTF <= 0 || math.Abs(gotTTF-wantTTF) > 0.3*wantTTF {
		t.Errorf("%s: time to full %.0f s, want %.0f s within 30%%", what, gotTTF, wantTTF)
	}
	if !strings.Contains(low.Summary, "at the current rate") || low.Severity != "critical" {
		t.Errorf("%s: finding %s: %q", what, low.Severity, low.Summary)
	}
}
