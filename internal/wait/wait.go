// Package wait is the one way the tool waits between samples: for a
// duration, or until the command is cancelled (Ctrl-C, its deadline),
// whichever comes first.
package wait

import (
	"context"
	"time"
)

// For waits d, or returns ctx's error as soon as ctx ends. A d of zero or
// less returns at once.
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
