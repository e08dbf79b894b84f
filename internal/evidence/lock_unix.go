//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package evidence

import (
	"fmt"
	"os"
	"syscall"
)

// lockBundle takes an exclusive advisory lock on the bundle directory for
// one manifest update. The kernel drops it if the process dies, so a
// killed watch never leaves a bundle locked, and no lock file is left in
// the bundle.
func lockBundle(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot lock bundle %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot lock bundle %s: %w", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
