package tools_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
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

// A create that Ada refused, or that never left the server, says so
// without advising to check for a duplicate; the advice is for a create
// whose outcome is unknown (TestCustomInstructionErrorsSayWhatToDo).
func TestDefiniteCreateRefusalHasNoDuplicateAdvice(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	msg := h.Err("create_channel", map[string]any{"name": "", "description": "", "modality": "email"})
	if !strings.Contains(msg, "Nothing was sent to Ada") || strings.Contains(msg, "before creating it again") {
		t.Fatalf("message: %s", msg)
	}
}

// A refused sensitive_metadata key is named as the argument is, not as
// Ada's request body nests it.
func TestSensitiveMetadataRefusalNamesTheArgument(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	msg := h.Err("update_end_user", map[string]any{"end_user_id": "5f7e0e2c1e7c7e000f0f9c3a", "sensitive_metadata": map[string]any{"bad key!": "v"}})
	if !strings.Contains(msg, "Invalid sensitive_metadata.bad key!:") || strings.Contains(msg, "profile.") {
		t.Fatalf("message: %s", msg)
	}
}

// Ada's cap of 100 new channels a day answers 429 with a Retry-After of hours: the error says
// what the limit is and that an existing channel will do, not only "retry in 86000 seconds".
func TestCreateChannelPastTheDailyCapSaysWhy(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	args := map[string]any{"name": "n", "description": "d", "modality": "messaging"}
	for i := range 100 {
		if res := h.Call("create_channel", args); res.IsError {
			t.Fatalf("channel %d: %s", i+1, testclient.Text(res))
		}
	}
	msg := h.Err("create_channel", args)
	if !strings.Contains(msg, "(429)") || !strings.Contains(msg, "100 new channels a day") || !strings.Contains(msg, "list_channels") {
		t.Fatalf("message: %s", msg)
	}
}

// Ada allows 4 KB of metadata per channel and 100 channels a page: list_channels bounds each
// channel's metadata as list_end_users does and names the channels it cut.
func TestListChannelsBoundsMetadata(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	big := map[string]any{}
	for i := range 3 {
		big[fmt.Sprintf("notes_%d", i)] = strings.Repeat(fmt.Sprintf("word%d ", i), 200) // 1200 characters each
	}
	fat := str(h.OK("create_channel", map[string]any{"name": "fat", "description": "d", "modality": "messaging", "metadata": big}), "channel", "channel_id")
	small := map[string]any{"team": "billing", "tier": 2}
	thin := str(h.OK("create_channel", map[string]any{"name": "thin", "description": "d", "modality": "messaging", "metadata": small}), "channel", "channel_id")

	page := h.OK("list_channels", map[string]any{})
	metadataOf := map[string]map[string]any{}
	for _, c := range list(page, "channels") {
		c := c.(map[string]any)
		metadataOf[str(c, "channel_id")] = obj(c, "metadata")
	}
	if b, _ := json.Marshal(metadataOf[fat]); len(b) > 1200 || len(metadataOf[fat]) == 0 {
		t.Fatalf("listed metadata of the fat channel: %d bytes, %d keys", len(b), len(metadataOf[fat]))
	}
	if fmt.Sprint(metadataOf[thin]) != fmt.Sprint(map[string]any{"team": "billing", "tier": float64(2)}) {
		t.Fatalf("small metadata changed: %v", metadataOf[thin])
	}
	if cut := list(page, "metadata_truncated"); len(cut) != 1 || cut[0] != fat {
		t.Fatalf("metadata_truncated = %v, want [%s]", page["metadata_truncated"], fat)
	}
}

// A list_channels next_cursor belongs to its type, modality and limit:
// paging on with them walks the listing; with another type (which Ada
// would take as a position in that other listing) it is refused, saying
// what to repeat.
func TestChannelCursorKeepsItsFilters(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for i := range 2 {
		h.OK("create_channel", map[string]any{"name": fmt.Sprintf("email %d", i), "description": "d", "modality": "email"})
	}
	filter := map[string]any{"modality": "email", "limit": 1}
	var seen int
	args := filter
	for i := 0; ; i++ {
		page := h.OK("list_channels", args)
		for _, ch := range list(page, "channels") {
			if m := str(ch.(map[string]any), "modality"); m != "email" {
				t.Fatalf("page %d lists a %s channel", i, m)
			}
			seen++
		}
		next := str(page, "next_cursor")
		if next == "" {
			break
		}
		if i == 10 {
			t.Fatal("no end")
		}
		args = map[string]any{"modality": "email", "limit": 1, "cursor": next}
	}
	if seen != 2 {
		t.Fatalf("%d email channels listed, want 2", seen)
	}
	cursor := str(h.OK("list_channels", filter), "next_cursor")
	for _, other := range []map[string]any{{"cursor": cursor, "limit": 1}, {"cursor": cursor, "modality": "email", "limit": 1, "type": "native"}} {
		if msg := h.Err("list_channels", other); !strings.Contains(msg, "same type, modality and limit") {
			t.Errorf("%v: %s", other, msg)
		}
	}
}
