package adasim_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

func TestSeededChannels(t *testing.T) {
	c := newSim(t, adasim.Options{})
	custom := c.expect(http.StatusOK, "GET", "/v2/channels/?type=custom", nil)
	data := custom["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("custom channels %v, want the seeded sandbox channel", data)
	}
	sandbox := data[0].(object)
	if sandbox["id"] != c.sim.DefaultChannelID() || sandbox["type"] != "custom" || sandbox["modality"] != "messaging" ||
		sandbox["name"] != "Sandbox chat" || !timestamp.MatchString(str(sandbox["created_at"])) {
		t.Fatalf("sandbox channel %v", sandbox)
	}
	if m, ok := sandbox["metadata"].(object); !ok || len(m) != 0 {
		t.Fatalf("sandbox metadata %v, want {}", sandbox["metadata"])
	}
	if meta := custom["meta"].(object); meta["next_page_url"] != nil {
		t.Fatalf("meta %v", meta)
	}

	native := c.expect(http.StatusOK, "GET", "/v2/channels/?type=native", nil)["data"].([]any)
	if len(native) != 1 {
		t.Fatalf("native channels %v", native)
	}
	web := native[0].(object)
	if web["type"] != "native" || web["name"] != "Web Chat" || web["modality"] != "messaging" {
		t.Fatalf("native channel %v", web)
	}
	if _, has := web["created_at"]; has {
		t.Error("a native channel has no created_at in Ada's Channel schema")
	}
	if _, has := web["metadata"]; has {
		t.Error("a native channel has no metadata in Ada's Channel schema")
	}
}

func TestListChannelsFilters(t *testing.T) {
	c := newSim(t, adasim.Options{})
	for _, modality := range []string{"email", "voice", "sms", "email"} {
		c.expect(http.StatusCreated, "POST", "/v2/channels/", object{"name": modality, "description": "d", "modality": modality})
	}
	count := func(query string) int {
		return len(c.expect(http.StatusOK, "GET", "/v2/channels/?"+query, nil)["data"].([]any))
	}
	if n := count("type=custom"); n != 5 {
		t.Errorf("type=custom: %d, want 5", n)
	}
	if n := count("type=custom&modality=email"); n != 2 {
		t.Errorf("modality=email: %d, want 2", n)
	}
	if n := count("type=native&modality=email"); n != 0 {
		t.Errorf("native email: %d, want 0", n)
	}
	for _, bad := range []string{"", "type=", "type=other", "type=custom&modality=fax", "type=custom&limit=0", "type=custom&limit=101", "type=custom&cursor=nope"} {
		c.expectError(http.StatusBadRequest, "bad_request", "GET", "/v2/channels/?"+bad, nil)
	}

	// Pagination over the filtered list, with the cursor of the first record of the next page.
	var names []string
	next := "/v2/channels/?type=custom&limit=2"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		page := c.expect(http.StatusOK, "GET", next, nil)
		for _, ch := range page["data"].([]any) {
			names = append(names, str(ch.(object)["name"]))
		}
		next, _ = page["meta"].(object)["next_page_url"].(string)
	}
	if fmt.Sprint(names) != "[Sandbox chat email voice sms email]" {
		t.Fatalf("walked %v", names)
	}
}

func TestCreateChannel(t *testing.T) {
	c := newSim(t, adasim.Options{})
	ch := c.expect(http.StatusCreated, "POST", "/v2/channels/", object{
		"name": "My Custom Channel", "description": "A custom messaging channel", "modality": "messaging",
		"metadata": object{"webpage_host": "https://lovelace-chat.com", "n": 1, "f": 2.5, "b": true},
		"status":   "active", // Ada's demo sends it; not in the spec; ignored
	})
	if ch["type"] != "custom" || !hexID.MatchString(str(ch["id"])) || ch["name"] != "My Custom Channel" ||
		ch["modality"] != "messaging" || !timestamp.MatchString(str(ch["created_at"])) {
		t.Fatalf("channel %v", ch)
	}
	if caps := ch["capabilities"].(object); caps["markdown"] != false {
		t.Fatalf("capabilities %v, want markdown false by default", caps)
	}
	if _, has := ch["status"]; has {
		t.Error("unknown request field echoed")
	}
	withMarkdown := c.expect(http.StatusCreated, "POST", "/v2/channels/", object{"name": "md", "description": "", "modality": "email", "capabilities": object{"markdown": true}})
	if withMarkdown["capabilities"].(object)["markdown"] != true {
		t.Fatalf("capabilities %v", withMarkdown["capabilities"])
	}

	cases := []struct {
		name string
		body any
	}{
		{"no name", object{"description": "d", "modality": "messaging"}},
		{"empty name", object{"name": "", "description": "d", "modality": "messaging"}},
		{"no description", object{"name": "n", "modality": "messaging"}},
		{"no modality", object{"name": "n", "description": "d"}},
		{"bad modality", object{"name": "n", "description": "d", "modality": "fax"}},
		{"native type", object{"name": "n", "description": "d", "modality": "messaging", "type": "native"}},
		{"metadata nested", object{"name": "n", "description": "d", "modality": "messaging", "metadata": object{"a": object{}}}},
		{"metadata over 4 KB", object{"name": "n", "description": "d", "modality": "messaging", "metadata": sizedMetadata(4<<10 + 1)}},
		{"markdown not boolean", object{"name": "n", "description": "d", "modality": "messaging", "capabilities": object{"markdown": "yes"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, c.do("POST", "/v2/channels/", tc.body), http.StatusBadRequest, "validation_error")
		})
	}
}

func TestChannelCreationLimitPerDay(t *testing.T) {
	clk := newFakeClock()
	c := newSim(t, adasim.Options{Clock: clk.Now})
	body := object{"name": "n", "description": "d", "modality": "messaging"}
	for i := range 100 {
		if r := c.do("POST", "/v2/channels/", body); r.status != http.StatusCreated {
			t.Fatalf("channel %d: %d %s", i+1, r.status, r.body)
		}
		clk.Advance(time.Minute)
	}
	r := c.do("POST", "/v2/channels/", body)
	checkError(t, r, http.StatusTooManyRequests, "too_many_requests")
	// The first was created 100 minutes ago: it leaves the 24 h window in 22 h 20 min.
	if got, want := r.header.Get("Retry-After"), fmt.Sprint(int((24*time.Hour - 100*time.Minute).Seconds())); got != want {
		t.Fatalf("Retry-After %q, want %q", got, want)
	}
	clk.Advance(24*time.Hour - 100*time.Minute)
	c.expect(http.StatusCreated, "POST", "/v2/channels/", body)
}

func TestPatchChannel(t *testing.T) {
	c := newSim(t, adasim.Options{})
	id := c.sim.DefaultChannelID()
	got := c.expect(http.StatusOK, "PATCH", "/v2/channels/"+id, object{"capabilities": object{"markdown": true}})
	if got["capabilities"].(object)["markdown"] != true || got["id"] != id || got["type"] != "custom" {
		t.Fatalf("patched channel %v", got)
	}
	// Omitted capability fields keep their value.
	got = c.expect(http.StatusOK, "PATCH", "/v2/channels/"+id, object{"capabilities": object{}})
	if got["capabilities"].(object)["markdown"] != true {
		t.Fatalf("markdown reset by an empty capabilities object: %v", got)
	}
	listed := c.expect(http.StatusOK, "GET", "/v2/channels/?type=custom", nil)["data"].([]any)[0].(object)
	if listed["capabilities"].(object)["markdown"] != true {
		t.Fatal("PATCH not stored")
	}

	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", "/v2/channels/"+id, object{})
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", "/v2/channels/"+id, object{"capabilities": object{"markdown": 1}})
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", "/v2/channels/"+nativeChannelID(t, c), object{"capabilities": object{"markdown": false}})
	c.expectError(http.StatusNotFound, "not_found", "PATCH", "/v2/channels/000000000000000000000000", object{"capabilities": object{"markdown": true}})
}
