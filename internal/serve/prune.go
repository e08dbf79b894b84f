package serve

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// prune enforces the retention and the disk budget of serve's bundles in
// dir (only directories named alert-*, which serve writes): bundles whose
// name says they are older than retention go first, then the oldest until
// the rest fit in budget. keep (the bundle just written) is never deleted,
// so the newest evidence survives even a budget smaller than itself.
// A budget or retention of 0 is no limit.
func prune(dir string, budget int64, retention time.Duration, now time.Time, keep string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	type bundle struct {
		path string
		at   time.Time
		size int64
	}
	var bundles []bundle
	var total int64
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), bundlePrefix) {
			continue
		}
		at, ok := bundleTime(e.Name())
		if !ok {
			continue
		}
		p := filepath.Join(dir, e.Name())
		size := dirSize(p)
		bundles = append(bundles, bundle{p, at, size})
		total += size
	}
	slices.SortFunc(bundles, func(a, b bundle) int { return a.at.Compare(b.at) })
	var errs []error
	for _, b := range bundles {
		if b.path == keep {
			continue
		}
		expired := retention > 0 && now.Sub(b.at) > retention
		over := budget > 0 && total > budget
		if !expired && !over {
			continue
		}
		if err := os.RemoveAll(b.path); err != nil {
			errs = append(errs, err)
			continue
		}
		total -= b.size
	}
	return errors.Join(errs...)
}

// bundleTime reads the time from a bundle's name.
func bundleTime(name string) (time.Time, bool) {
	rest := strings.TrimPrefix(name, bundlePrefix)
	const layout = "20060102T150405.000Z"
	if len(rest) < len(layout) {
		return time.Time{}, false
	}
	t, err := time.Parse(layout, rest[:len(layout)])
	return t, err == nil
}

// dirSize is the bytes of the regular files under p.
func dirSize(p string) int64 {
	var n int64
	_ = filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
