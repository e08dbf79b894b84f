package collect

// ClosedPort is closedPort for the tests of package collect_test.
var ClosedPort = closedPort
