//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package drill

// Alive cannot tell on this platform; the stop file is polled instead.
func Alive(pid int) bool { return pid > 0 }

// Terminate does nothing here: the serving process polls for the stop
// file.
func Terminate(int) error { return nil }
