package flows

import "embed"

// Scenarios holds the scenario tests shipped with the default flow
// (scenarios/*.yaml, and scenarios/terms.yaml, which says what the legal
// reference's module and route IDs mean in the flow's words). Package
// flows/scenario reads and runs them.
//
//go:embed scenarios
var Scenarios embed.FS
