package exitcode

import (
	"errors"
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil is OK", nil, OK},
		{"plain error is unknown", errors.New("boom"), Unknown},
		{"usage error", Usagef("try --help", "bad flag %q", "x"), Unknown},
		{"wrapped critical", fmt.Errorf("ctx: %w", &Error{Code: Critical, Err: errors.New("down")}), Critical},
		{"warning", &Error{Code: Warning, Err: errors.New("meh")}, Warning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.err); got != tt.want {
				t.Errorf("Of() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestHintTravelsThroughWrapping(t *testing.T) {
	err := fmt.Errorf("outer: %w", Usage(errors.New("inner"), "do this"))
	if got := HintOf(err); got != "do this" {
		t.Fatalf("HintOf() = %q", got)
	}
	if HintOf(errors.New("x")) != "" {
		t.Fatal("plain error has a hint")
	}
}
