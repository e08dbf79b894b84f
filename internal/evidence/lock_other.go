//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package evidence

// lockBundle is a no-op where flock(2) is missing: concurrent writers to one
// bundle (a watch and a `run --record`) may then lose a manifest entry.
func lockBundle(string) (func(), error) { return func() {}, nil }
