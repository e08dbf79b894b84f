package wait

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestForEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := For(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("For on a cancelled context = %v, want context.Canceled", err)
	}
	if err := For(context.Background(), time.Millisecond); err != nil {
		t.Errorf("For(1ms) = %v", err)
	}
	if err := For(context.Background(), 0); err != nil {
		t.Errorf("For(0) = %v", err)
	}
}
