// Package lazyregexp compiles a package-level regular expression at its
// first use instead of at every start: most of the server's patterns serve
// paths a run may never take (error pages, bot handles, scenario files),
// and compiling them all cost each start time and allocations.
// (The simulator, which shares no code with the rest, has its own.)
package lazyregexp

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr once, at its first call, and
// then returns the same *regexp.Regexp. expr must compile: a bad pattern
// panics at its first use, which the tests of its package reach.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
