package adasim

import "testing"

// The store keeps at most maxStoredAttachmentBytes, dropping the oldest files first, never the
// one just added.
func TestAttachmentStoreEvictsTheOldest(t *testing.T) {
	st := newAttachmentStore()
	const part = 30 << 20
	for _, id := range []string{"a", "b", "c"} {
		st.add(&attachment{id: id, data: make([]byte, part)})
	}
	if _, kept := st.byID["a"]; kept || len(st.order) != 2 || st.bytes != 2*part || st.byID["b"] == nil || st.byID["c"] == nil {
		t.Fatalf("after 90 MB: %d files, %d bytes, a kept: %v", len(st.order), st.bytes, kept)
	}
	st.add(&attachment{id: "huge", data: make([]byte, maxStoredAttachmentBytes+1)})
	if len(st.order) != 1 || st.byID["huge"] == nil || st.bytes != maxStoredAttachmentBytes+1 {
		t.Fatalf("a file over the bound alone: %d files, %d bytes", len(st.order), st.bytes)
	}
}
