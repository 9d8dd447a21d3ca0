package tools_test

import (
	"strings"
	"testing"
)

func TestUpdateChannel(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := h.sim.DefaultChannelID()
	markdownOf := func() any {
		for _, c := range list(h.OK("list_channels", map[string]any{}), "channels") {
			if ch := c.(map[string]any); ch["channel_id"] == id {
				return ch["markdown"]
			}
		}
		t.Fatalf("channel %s not listed", id)
		return nil
	}

	out := h.OK("update_channel", map[string]any{"channel_id": id, "markdown": true})
	if str(out, "channel", "channel_id") != id || obj(out, "channel")["markdown"] != true || markdownOf() != true {
		t.Fatalf("update_channel(markdown true) = %v", out)
	}
	// Idempotent: the same update again changes nothing and succeeds.
	h.OK("update_channel", map[string]any{"channel_id": id, "markdown": true})
	if out := h.OK("update_channel", map[string]any{"channel_id": id, "markdown": false}); obj(out, "channel")["markdown"] != nil || markdownOf() != nil {
		t.Fatalf("update_channel(markdown false) = %v", out)
	}

	natives := list(h.OK("list_channels", map[string]any{"type": "native"}), "channels")
	native := str(natives[0].(map[string]any), "channel_id")
	msg := h.Err("update_channel", map[string]any{"channel_id": native, "markdown": false})
	if want := "Channel " + native + " is one of Ada's native channels, which are read-only: only custom channels can be updated (list_channels shows them)."; msg != want {
		t.Fatalf("native channel: %q, want %q", msg, want)
	}
	if msg := h.Err("update_channel", map[string]any{"channel_id": "000000000000000000000000", "markdown": true}); !strings.Contains(msg, "Not found (404)") {
		t.Fatalf("unknown channel: %s", msg)
	}
	if msg := h.Err("update_channel", map[string]any{"channel_id": id}); !strings.Contains(msg, "markdown") {
		t.Fatalf("without markdown: %s", msg)
	}
}
