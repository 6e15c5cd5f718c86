// Package e2e holds the end-to-end tests of issue 4: they build the real
// `redress` binary, run `redress serve` against the fake Bot API of
// tools/load/tgfake on loopback, and check what a user would notice —
// through SIGKILL at random moments, API faults, a full disk, thousands of
// random and malformed updates, and the security canaries of
// docs/SECURITY.md. TestImmediateRestartsRepeatAtMostOnePerChat (issue 8)
// holds the outbox's invariant — a row is made at most once, except the one
// a worker was making when the process died, one per chat — under 1,000
// chats and immediate, early and double restarts (5 kills; 20 with -long).
// The package has no code outside its tests.
//
// By default the tests run at the size CI runs them (about a minute and a
// half); -short makes them smaller still, -long runs the long versions:
//
//	go test ./e2e -v -args -long
package e2e
