package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Ada allows 10 KB of metadata per end user, so a page of 100 could be a megabyte in the
// assistant's context: list_end_users bounds each end user's metadata, names the end users
// whose metadata it cut, and lookup_end_user still shows it whole.
func TestListEndUsersBoundsMetadata(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	big := map[string]any{}
	for i := range 3 {
		big[fmt.Sprintf("notes_%d", i)] = strings.Repeat(fmt.Sprintf("word%d ", i), 500) // 3000 characters each
	}
	fat := str(h.OK("upsert_end_user", map[string]any{"external_id": "fat-1", "profile": map[string]any{"metadata": big}}), "end_user", "end_user_id")
	small := map[string]any{"plan": "gold", "visits": 3, "vip": true}
	thin := str(h.OK("upsert_end_user", map[string]any{"external_id": "thin-1", "profile": map[string]any{"metadata": small}}), "end_user", "end_user_id")

	page := h.OK("list_end_users", map[string]any{})
	metadataOf := map[string]map[string]any{}
	for _, u := range list(page, "end_users") {
		u := u.(map[string]any)
		metadataOf[str(u, "end_user_id")] = obj(u, "profile", "metadata")
	}
	if b, _ := json.Marshal(metadataOf[fat]); len(b) > 1200 || len(metadataOf[fat]) == 0 {
		t.Fatalf("listed metadata of the fat end user: %d bytes, %d keys", len(b), len(metadataOf[fat]))
	}
	if fmt.Sprint(metadataOf[thin]) != fmt.Sprint(map[string]any{"plan": "gold", "visits": float64(3), "vip": true}) {
		t.Fatalf("small metadata changed: %v", metadataOf[thin])
	}
	if cut := list(page, "metadata_truncated"); len(cut) != 1 || cut[0] != fat {
		t.Fatalf("metadata_truncated = %v, want [%s]", page["metadata_truncated"], fat)
	}
	whole := obj(h.OK("lookup_end_user", map[string]any{"end_user_id": fat}), "end_user", "profile", "metadata")
	if whole["notes_2"] != big["notes_2"] {
		t.Fatalf("lookup_end_user metadata cut: %v", whole)
	}
}

// Ada deletes an end user created through the API that no conversation joins within 24
// hours: upsert_end_user says so, so that an assistant registering users for later does not
// lose them silently.
func TestUpsertDescriptionSaysANewEndUserExpires(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	res, err := h.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range res.Tools {
		if tl.Name == "upsert_end_user" {
			if !strings.Contains(tl.Description, "24 h") {
				t.Fatalf("description: %s", tl.Description)
			}
			return
		}
	}
	t.Fatal("upsert_end_user not listed")
}
