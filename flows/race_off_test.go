//go:build !race

package flows_test

// raceDetector is true when the tests run with -race (about 10x slower).
const raceDetector = false
