//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package drill

import "syscall"

// Alive reports whether a process with this id exists.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// Terminate sends SIGTERM to the serving process, which ends the drill as
// Ctrl-C would. Polling for the stop file is the fallback.
func Terminate(pid int) error {
	if pid <= 0 {
		return nil
	}
	return syscall.Kill(pid, syscall.SIGTERM)
}
