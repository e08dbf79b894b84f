package runbooks

import "testing"

// FuzzParse: any runbook file gives a runbook or an error naming the file,
// never a panic.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"broker-failure.yaml", "isr-shrinkage.yaml", "zombie-leader.yaml", "data-recovery.yaml"} {
		data, err := content.ReadFile("content/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("schema_version: 1\nname: x\ntitle: X\nsteps: [{id: a, title: A, diagnostic: broker-classify}]\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Add([]byte("steps: !!binary AAAA"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rb, err := Parse("fuzz.yaml", data)
		if err != nil {
			if len(err.Error()) < len("fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, s := range rb.Steps {
			if _, ok := lookupDiagnostic(s.Diagnostic); !ok {
				t.Fatalf("accepted unknown diagnostic %q", s.Diagnostic)
			}
		}
	})
}
