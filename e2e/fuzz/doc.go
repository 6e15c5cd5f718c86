// Package fuzz holds fuzz targets for the loaders Redress reads at start-up
// — flow files and message catalogs — driven through their public APIs
// (flows.Check, flows.Step, locales.Check). The update handler's target is
// bot.FuzzHandleUpdate; the engine's, flows.FuzzStep. Run briefly:
//
//	go test ./e2e/fuzz -run '^$' -fuzz '^FuzzFlowLoader$' -fuzztime 30s
//	go test ./e2e/fuzz -run '^$' -fuzz '^FuzzCatalogLoader$' -fuzztime 30s
//
// Without -fuzz, `go test` runs the committed corpus (testdata/fuzz) and
// the seeds as ordinary tests.
package fuzz
