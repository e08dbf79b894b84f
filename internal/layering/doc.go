// Package layering holds the test that keeps the module's layers apart: it
// reads the import graph with `go list -json ./...` and fails when a
// package depends on one its layer must not know. The rules are listed in
// docs/ARCHITECTURE.md ("Layering rules") and in layering_test.go; they
// apply to the packages as built, so _test.go files and test-only packages
// (test/integration) may import anything.
package layering
