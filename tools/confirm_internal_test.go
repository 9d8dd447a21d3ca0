package tools

import (
	"testing"
	"time"
)

// A confirmation's state holds for its tool, account and arguments until it
// expires; replicas keyed alike accept each other's, others do not.
func TestConfirmerBindsAndExpires(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := newConfirmer("ada-key", "bearer")
	c.now = func() time.Time { return now }
	args := map[string]any{"webhook_id": "ep_1"}
	st := c.state("delete_webhook", "acct-1", args)
	if !c.valid(st, "delete_webhook", "acct-1", args) {
		t.Fatal("its own state refused")
	}
	for name, ok := range map[string]bool{
		"other tool":    c.valid(st, "delete_tags", "acct-1", args),
		"other account": c.valid(st, "delete_webhook", "acct-2", args),
		"other args":    c.valid(st, "delete_webhook", "acct-1", map[string]any{"webhook_id": "ep_2"}),
		"empty":         c.valid("", "delete_webhook", "acct-1", args),
		"unkeyed peer":  newConfirmer().valid(st, "delete_webhook", "acct-1", args),
		"other key":     newConfirmer("ada-key", "other bearer").valid(st, "delete_webhook", "acct-1", args),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
	peer := newConfirmer("ada-key", "bearer")
	peer.now = c.now
	if !peer.valid(st, "delete_webhook", "acct-1", args) {
		t.Error("a replica with the same secrets refused it")
	}
	now = now.Add(confirmTTL + time.Second)
	if c.valid(st, "delete_webhook", "acct-1", args) {
		t.Error("accepted after it expired")
	}
	if newConfirmer().key == nil || string(newConfirmer().key) == string(newConfirmer().key) {
		t.Error("without secrets the key is not random")
	}
}

// A state deletes once: redeemed again before it expires, it is refused;
// what it redeemed is forgotten once expired, never accepted again.
func TestConfirmerRedeemsOnce(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := newConfirmer("ada-key")
	c.now = func() time.Time { return now }
	args := map[string]any{"article_ids": []string{"faq-1"}}
	st := c.state("delete_articles", "", args)
	if !c.redeem(st, "delete_articles", "", args) {
		t.Fatal("its own state refused")
	}
	if c.redeem(st, "delete_articles", "", args) {
		t.Fatal("redeemed twice")
	}
	if c.redeem("c2.zz.forged.mac", "delete_articles", "", args) {
		t.Fatal("a forged state redeemed")
	}
	// Asked again in the same second: a state of its own.
	other := c.state("delete_articles", "", args)
	if other == st || !c.redeem(other, "delete_articles", "", args) {
		t.Fatal("a new question's state refused")
	}
	now = now.Add(confirmTTL + time.Second)
	c.redeem(c.state("delete_articles", "", args), "delete_articles", "", args)
	if len(c.used) != 1 { // the two redeemed above expired
		t.Fatalf("%d states kept, want only the one not expired", len(c.used))
	}
}
