//go:build race

package tools_test

// raceEnabled: the race detector makes sync.Pool drop a share of what is
// put back (to expose code that relies on reuse), so pooled buffers are
// allocated again now and then.
const raceEnabled = true
