package kafkatest

import (
	"syscall"
	"time"
)

// Stop ends the consumer the way an orderly shutdown does: SIGTERM runs the console
// consumer's shutdown hook, which closes the consumer, and closing leaves the group (a
// KIP-848 member sends its leave heartbeat, a classic one LeaveGroup) at once, instead of
// after the coordinator's session timeout as Kill's crash does. A consumer still running
// after timeout is killed. It returns once the process is reaped; stopping a consumer that
// has ended is harmless.
func (cons *Consumer) Stop(timeout time.Duration) {
	p := cons.proc
	if p.exited() {
		return
	}
	_ = p.signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.kill()
	}
}
