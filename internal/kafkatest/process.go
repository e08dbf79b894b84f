package kafkatest

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// process is a started JVM and the goroutine reaping it.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has been reaped
	err  error         // Wait's result, readable after done is closed
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal targets the whole process group, which is the JVM alone (Setpgid).
func (p *process) signal(sig syscall.Signal) error {
	return syscall.Kill(-p.cmd.Process.Pid, sig)
}

// kill returns once the process is reaped, so its ports and files are free for a restart.
func (p *process) kill() {
	if p.exited() {
		return // its pid may belong to somebody else by now
	}
	// SIGKILL ends a stopped process too; the SIGCONT is there so that no stopped JVM survives
	// even if the kill is somehow not delivered.
	_ = p.signal(syscall.SIGCONT)
	_ = p.signal(syscall.SIGKILL)
	<-p.done
}

// procAttr puts the JVM in its own process group, so that Pause and Kill reach it and not the
// test binary, and asks the kernel to SIGKILL it when the test binary dies without running its
// cleanups (go test -timeout, a crash). Pdeathsig fires when the forking OS thread exits; the Go
// runtime only retires threads that a goroutine locked, and nothing here locks one.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func startProcess(cmd *exec.Cmd) (*process, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// JVM sizes: three brokers, a controller and a CLI tool fit in well under 2 GiB.
const (
	brokerHeap     = "-Xmx384m"
	controllerHeap = "-Xmx256m"
	toolHeap       = "-Xmx256m"
)

// jvm runs classes from the Kafka jars.
type jvm struct {
	java string
	libs string
	cds  string // class-data-sharing archive, or "" to run without one
	dump string // where to write a CDS archive at exit, when creating one
	// sysProps are extra -Dkey=value arguments (Options.JVMProperties).
	sysProps []string
}

// cmd builds `java <jvm args> -cp <libs>/* <main> <args>` running in dir; java expands the
// wildcard itself, so no shell is involved. The flags trade peak throughput for startup time:
// on two shared cores, parallel GC threads and C2 compilation cost more during the first
// seconds than they save in a minutes-long test.
func (j jvm) cmd(ctx context.Context, dir, heap, log4j, main string, args ...string) *exec.Cmd {
	full := []string{
		heap, "-Xms64m",
		"-XX:+UseSerialGC",
		"-XX:TieredStopAtLevel=1",
		"-XX:-UsePerfData", // a SIGKILLed JVM would leave its /tmp/hsperfdata file behind
		"-XX:+ExitOnOutOfMemoryError",
		// JVM warnings (a stale CDS archive, for one) go to stdout by default, where they
		// would corrupt a CLI tool's output.
		"-Xlog:disable", "-Xlog:all=warning:stderr",
		"-Djava.awt.headless=true",
	}
	if j.cds != "" {
		full = append(full, "-XX:SharedArchiveFile="+j.cds)
	}
	if j.dump != "" {
		full = append(full, "-XX:ArchiveClassesAtExit="+j.dump)
	}
	full = append(full, j.sysProps...)
	full = append(full, "-cp", filepath.Join(j.libs, "*"), "-Dlog4j2.configurationFile="+log4j, main)
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, j.java, full...)
	cmd.Dir = dir
	cmd.SysProcAttr = procAttr()
	return cmd
}

// tail returns the last n lines of a file, reading only its end because broker logs grow.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	const chunk = 64 << 10
	if st, err := f.Stat(); err == nil && st.Size() > chunk {
		_, _ = f.Seek(st.Size()-chunk, 0)
	}
	buf, _ := io.ReadAll(f)
	lines := bytes.Split(bytes.TrimRight(buf, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
