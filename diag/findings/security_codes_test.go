package findings

import (
	"reflect"
	"testing"
)

// TestSecurityCatalogue: every security code is explained in full, with the severity its
// comment promises, and collides with no other code.
func TestSecurityCatalogue(t *testing.T) {
	want := map[string]Severity{PlaintextListener: Info, ACLAllowsAnonymousWrite: Warning}
	if len(securityCatalogue) != len(want) {
		t.Fatalf("%d security entries, want %d", len(securityCatalogue), len(want))
	}
	for _, e := range securityCatalogue {
		sev, ok := want[e.Code]
		if !ok || e.Severity != sev {
			t.Errorf("%s: severity %s, want %s", e.Code, e.Severity, sev)
		}
		if e.Title == "" || e.Meaning == "" || e.WhyItMatters == "" || e.WhatToDo == "" {
			t.Errorf("%s is not fully explained: %+v", e.Code, e)
		}
		for _, other := range catalogue {
			if other.Code == e.Code && !reflect.DeepEqual(other, e) {
				t.Errorf("%s is also defined differently in catalogue.go", e.Code)
			}
		}
	}
}
