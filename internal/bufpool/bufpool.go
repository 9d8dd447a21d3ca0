// Package bufpool reuses byte buffers across calls: reading a response or
// encoding a result into a new buffer grows it several times over on every
// call, where a reused one has room already.
package bufpool

import (
	"bytes"
	"sync"
)

// MaxKept is the largest buffer Put keeps, so that one large page or
// result does not stay pinned in a pool.
const MaxKept = 64 << 10

// Pool is a pool of buffers. The zero Pool is ready to use.
type Pool struct{ p sync.Pool }

// Get returns an empty buffer.
func (p *Pool) Get() *bytes.Buffer {
	if b, ok := p.p.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

// Put returns b for reuse, unless it grew past MaxKept. The caller must
// not use b, or bytes it returned, afterwards.
func (p *Pool) Put(b *bytes.Buffer) {
	if b.Cap() > MaxKept {
		return
	}
	b.Reset()
	p.p.Put(b)
}
