package lazyregexp

import "testing"

func TestCompilesOnceAtFirstUse(t *testing.T) {
	re := New(`^a+$`)
	first := re()
	if first != re() || !first.MatchString("aaa") || first.MatchString("b") {
		t.Fatalf("got %v then another: want one compiled pattern", first)
	}
	bad := New(`(`)
	defer func() {
		if recover() == nil {
			t.Fatal("a bad pattern did not panic at its first use")
		}
	}()
	bad()
}
