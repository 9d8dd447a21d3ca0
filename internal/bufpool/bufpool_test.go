package bufpool_test

import (
	"bytes"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/bufpool"
)

func TestPutEmptiesAndDropsLargeBuffers(t *testing.T) {
	var p bufpool.Pool
	b := p.Get()
	b.WriteString("left over")
	p.Put(b)
	for range 100 { // sync.Pool may drop what was put; none comes back dirty
		if got := p.Get(); got.Len() != 0 {
			t.Fatalf("Get returned a buffer holding %q", got.String())
		}
	}

	large := bytes.NewBuffer(make([]byte, 0, bufpool.MaxKept+1))
	p.Put(large)
	for range 100 {
		if p.Get() == large {
			t.Fatal("a buffer over MaxKept came back from the pool")
		}
	}
}
