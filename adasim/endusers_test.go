package adasim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

var (
	hexID     = regexp.MustCompile(`^[0-9a-f]{24}$`)
	timestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$`)
)

func TestCreateEndUserShape(t *testing.T) {
	c := newSim(t, adasim.Options{})
	u := c.createEndUser(object{})
	if !hexID.MatchString(str(u["end_user_id"])) {
		t.Errorf("end_user_id %v is not 24 hex digits", u["end_user_id"])
	}
	if u["external_id"] != nil {
		t.Errorf("external_id = %v, want null", u["external_id"])
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if !timestamp.MatchString(str(u[k])) {
			t.Errorf("%s = %v, want like 2026-01-01T00:00:00.000000+00:00", k, u[k])
		}
	}
	p := u["profile"].(object)
	for _, k := range []string{"first_name", "last_name", "display_name", "avatar", "email", "language"} {
		if v, ok := p[k]; !ok || v != nil {
			t.Errorf("profile.%s = %v (present %v), want null", k, v, ok)
		}
	}
	if m, ok := p["metadata"].(object); !ok || len(m) != 0 {
		t.Errorf("profile.metadata = %v, want {}", p["metadata"])
	}
	sys, ok := p["system_properties"].(object)
	if !ok || sys["sunshine_user_id"] != nil {
		t.Errorf("profile.system_properties = %v, want {sunshine_user_id: null}", p["system_properties"])
	}

	// No body at all is a blank end user too.
	r := c.do("POST", "/v2/end-users/", nil)
	if r.status != http.StatusCreated {
		t.Fatalf("POST without body: %d %s", r.status, r.body)
	}
}

func TestCreateEndUserIsIdempotentOnExternalID(t *testing.T) {
	c := newSim(t, adasim.Options{})
	first := c.expect(http.StatusCreated, "POST", "/v2/end-users/", object{
		"external_id": "CRM-42", "profile": object{"first_name": "Ana", "language": "pt-BR"}})
	if first["external_id"] != "CRM-42" {
		t.Fatalf("external_id = %v", first["external_id"])
	}

	// Same external_id, other case, other profile: 200 and the existing end user, unchanged.
	again := c.expect(http.StatusOK, "POST", "/v2/end-users/", object{
		"external_id": "crm-42", "profile": object{"first_name": "Someone else"}})
	if again["end_user_id"] != first["end_user_id"] {
		t.Fatalf("second POST returned %v, want the existing %v", again["end_user_id"], first["end_user_id"])
	}
	if got := again["profile"].(object)["first_name"]; got != "Ana" {
		t.Fatalf("existing end user changed: first_name = %v", got)
	}

	// Without external_id every POST is a new end user.
	a := c.createEndUser(object{})
	b := c.createEndUser(object{})
	if a["end_user_id"] == b["end_user_id"] {
		t.Fatal("two POSTs without external_id returned the same end user")
	}
}

func TestExternalIDLookup(t *testing.T) {
	c := newSim(t, adasim.Options{})
	u := c.createEndUser(object{"external_id": "Abc-123"})

	got := c.expect(http.StatusOK, "GET", "/v2/end-users/?external_id=abc-123", nil)
	if got["end_user_id"] != u["end_user_id"] {
		t.Fatalf("lookup returned %v, want %v", got["end_user_id"], u["end_user_id"])
	}
	if _, isList := got["data"]; isList {
		t.Fatal("lookup by external_id returned a list, want a single end user")
	}
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/end-users/?external_id=nobody", nil)

	for _, bad := range []string{
		"/v2/end-users/?external_id=abc&limit=10",
		"/v2/end-users/?external_id=abc&cursor=" + str(u["end_user_id"]),
		"/v2/end-users/?external_id=",
		"/v2/end-users/?external_id=" + url.QueryEscape("<script>"),
		"/v2/end-users/?external_id=" + strings.Repeat("x", 37),
	} {
		r := c.do("GET", bad, nil)
		if r.status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", bad, r.status)
		}
	}
}

func TestExternalIDValidation(t *testing.T) {
	c := newSim(t, adasim.Options{})
	cases := []struct {
		name       string
		externalID any
		want       int
	}{
		{"empty", "", http.StatusBadRequest},
		{"37 characters", strings.Repeat("a", 37), http.StatusBadRequest},
		{"36 characters", strings.Repeat("a", 36), http.StatusCreated},
		{"36 multibyte characters", strings.Repeat("é", 36), http.StatusCreated},
		{"less-than", "a<b", http.StatusBadRequest},
		{"greater-than", "a>b", http.StatusBadRequest},
		{"not a string", 42, http.StatusBadRequest},
		{"null", nil, http.StatusCreated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do("POST", "/v2/end-users/", object{"external_id": tc.externalID})
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want, r.body)
			}
			if tc.want == http.StatusBadRequest {
				checkError(t, r, http.StatusBadRequest, "validation_error")
			}
		})
	}
}

func TestPatchEndUser(t *testing.T) {
	c := newSim(t, adasim.Options{Deterministic: true})
	u := c.createEndUser(object{"external_id": "ext-1", "profile": object{
		"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
		"metadata": object{"plan": "pro", "seats": 3, "vip": true},
	}})
	id := str(u["end_user_id"])
	other := c.createEndUser(object{"external_id": "ext-2"})
	path := "/v2/end-users/" + id

	// profile is required, even when only external_id changes.
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", path, object{"external_id": "x"})
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", path, object{"profile": nil})
	c.expectError(http.StatusBadRequest, "bad_request", "PATCH", path, nil)

	// A value sets, null clears, absent leaves; metadata merges and null deletes a key.
	got := c.expect(http.StatusOK, "PATCH", path, object{"profile": object{
		"first_name": "Augusta", "last_name": nil, "language": "fr",
		"metadata": object{"seats": 5, "vip": nil, "region": "EU"},
	}})
	p := got["profile"].(object)
	if p["first_name"] != "Augusta" || p["last_name"] != nil || p["email"] != "ada@example.com" || p["language"] != "fr" {
		t.Fatalf("profile after PATCH: %v", p)
	}
	wantMeta := object{"plan": "pro", "seats": float64(5), "region": "EU"}
	if fmt.Sprint(p["metadata"]) != fmt.Sprint(wantMeta) {
		t.Fatalf("metadata = %v, want %v", p["metadata"], wantMeta)
	}
	if got["updated_at"] == u["updated_at"] {
		t.Error("updated_at did not move")
	}
	if got["created_at"] != u["created_at"] {
		t.Error("created_at changed")
	}

	// external_id: 409 if another end user has it (in any case), set, then clear and reuse.
	c.expectError(http.StatusConflict, "conflict", "PATCH", path, object{"external_id": "EXT-2", "profile": object{}})
	got = c.expect(http.StatusOK, "PATCH", path, object{"external_id": "EXT-1", "profile": object{}})
	if got["external_id"] != "EXT-1" {
		t.Fatalf("re-spelled external_id = %v", got["external_id"])
	}
	got = c.expect(http.StatusOK, "PATCH", path, object{"external_id": "new-id", "profile": object{}})
	if got["external_id"] != "new-id" {
		t.Fatalf("external_id = %v, want new-id", got["external_id"])
	}
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/end-users/?external_id=ext-1", nil)
	got = c.expect(http.StatusOK, "PATCH", path, object{"external_id": nil, "profile": object{}})
	if got["external_id"] != nil {
		t.Fatalf("external_id = %v after null, want null", got["external_id"])
	}
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/end-users/?external_id=new-id", nil)
	// The freed value can go to another end user.
	got = c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+str(other["end_user_id"]), object{"external_id": "new-id", "profile": object{}})
	if got["external_id"] != "new-id" {
		t.Fatalf("freed external_id not reusable: %v", got)
	}

	// metadata: null clears it all (an assumption, see the package doc).
	got = c.expect(http.StatusOK, "PATCH", path, object{"profile": object{"metadata": nil}})
	if m := got["profile"].(object)["metadata"].(object); len(m) != 0 {
		t.Fatalf("metadata after null = %v, want {}", m)
	}

	c.expectError(http.StatusNotFound, "not_found", "PATCH", "/v2/end-users/000000000000000000000000", object{"profile": object{}})
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/end-users/000000000000000000000000", nil)
}

func TestEndUserMetadataRules(t *testing.T) {
	c := newSim(t, adasim.Options{})
	id := str(c.createEndUser(object{})["end_user_id"])
	cases := []struct {
		name     string
		metadata any
		want     int
	}{
		{"string boolean integer", object{"a": "x", "b": false, "c": -7}, http.StatusCreated},
		{"float", object{"a": 1.5}, http.StatusBadRequest},
		{"object value", object{"a": object{"b": 1}}, http.StatusBadRequest},
		{"array value", object{"a": []int{1}}, http.StatusBadRequest},
		{"null value on create", object{"a": nil}, http.StatusBadRequest},
		{"not an object", "plan=pro", http.StatusBadRequest},
		{"exactly 10 KB", sizedMetadata(10 << 10), http.StatusCreated},
		{"over 10 KB", sizedMetadata(10<<10 + 1), http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do("POST", "/v2/end-users/", object{"profile": object{"metadata": tc.metadata}})
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %.200s", r.status, tc.want, r.body)
			}
		})
	}

	// The 10 KB limit is 400 (not 413) with Ada's message, and applies to the merged result.
	r := c.do("POST", "/v2/end-users/", object{"profile": object{"metadata": sizedMetadata(10<<10 + 1)}})
	checkError(t, r, http.StatusBadRequest, "validation_error")
	if !strings.Contains(string(r.body), "Metadata exceeds the maximum size of 10 KB.") {
		t.Errorf("message: %s", r.body)
	}
	// Measured as JSON without HTML escapes: 9 KB of "<&>" is 9 KB, not 54.
	c.expect(http.StatusCreated, "POST", "/v2/end-users/", object{"profile": object{"metadata": object{"h": strings.Repeat("<&>", 3<<10)}}})
	c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+id, object{"profile": object{"metadata": sizedMetadata(6 << 10)}})
	half := sizedMetadata(6 << 10)
	renamed := object{"other": half["k"]}
	c.expectError(http.StatusBadRequest, "validation_error", "PATCH", "/v2/end-users/"+id, object{"profile": object{"metadata": renamed}})
	// On PATCH a null value is allowed: it deletes.
	c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+id, object{"profile": object{"metadata": object{"k": nil, "other": half["k"]}}})
}

// sizedMetadata is {"k": "xxx..."} whose JSON encoding is exactly n bytes.
func sizedMetadata(n int) object {
	return object{"k": strings.Repeat("x", n-len(`{"k":""}`))}
}

func TestSensitiveMetadataIsWriteOnly(t *testing.T) {
	c := newSim(t, adasim.Options{})
	const secret = "tok_SECRET_never_returned"
	u := c.createEndUser(object{"external_id": "s-1", "profile": object{
		"metadata":           object{"plan": "pro"},
		"sensitive_metadata": object{"fields": object{"auth_token": secret, "level": 3, "ok": true}},
	}})
	id := str(u["end_user_id"])
	conv := c.startConversation(id)
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+str(conv["id"])+"/messages/", object{
		"author": object{"id": id, "role": "end_user"}, "content": object{"type": "text", "body": "hello"}})

	var bodies []string
	bodies = append(bodies, fmt.Sprint(u))
	for _, path := range []string{
		"/v2/end-users/" + id, "/v2/end-users/", "/v2/end-users/?external_id=s-1",
		"/v2/conversations/" + str(conv["id"]) + "/", "/v2/conversations/" + str(conv["id"]) + "/messages/",
	} {
		bodies = append(bodies, string(c.do("GET", path, nil).body))
	}
	patched := c.do("PATCH", "/v2/end-users/"+id, object{"profile": object{
		"sensitive_metadata": object{"fields": object{"auth_token": secret + "2", "level": nil}}}})
	if patched.status != http.StatusOK {
		t.Fatalf("PATCH sensitive_metadata: %d %s", patched.status, patched.body)
	}
	bodies = append(bodies, string(patched.body))
	again := c.do("POST", "/v2/end-users/", object{"external_id": "s-1", "profile": object{
		"sensitive_metadata": object{"fields": object{"auth_token": secret}}}})
	bodies = append(bodies, string(again.body))
	for _, b := range bodies {
		if strings.Contains(b, "SECRET") || strings.Contains(b, "sensitive") || strings.Contains(b, "auth_token") {
			t.Fatalf("sensitive_metadata leaked: %s", b)
		}
	}
}

func TestSensitiveMetadataRules(t *testing.T) {
	c := newSim(t, adasim.Options{})
	id := str(c.createEndUser(object{})["end_user_id"])
	twentyOne := object{}
	for i := range 21 {
		twentyOne[fmt.Sprintf("k%d", i)] = "v"
	}
	twenty := object{}
	for i := range 20 {
		twenty[fmt.Sprintf("k%d", i)] = i + 1
	}
	cases := []struct {
		name      string
		sensitive any
		metadata  any
		want      int
	}{
		{"valid", object{"fields": object{"a-b_C9": "v", "n": 1, "b": false}}, nil, http.StatusCreated},
		{"20 pairs", object{"fields": twenty}, nil, http.StatusCreated},
		{"21 pairs", object{"fields": twentyOne}, nil, http.StatusBadRequest},
		{"bad key", object{"fields": object{"a.b": "v"}}, nil, http.StatusBadRequest},
		{"empty string", object{"fields": object{"a": ""}}, nil, http.StatusBadRequest},
		{"float", object{"fields": object{"a": 1.5}}, nil, http.StatusBadRequest},
		{"object value", object{"fields": object{"a": object{}}}, nil, http.StatusBadRequest},
		{"fields missing", object{}, nil, http.StatusBadRequest},
		{"overlaps metadata on create", object{"fields": object{"plan": "x"}}, object{"plan": "pro"}, http.StatusBadRequest},
		{"null sensitive_metadata", nil, nil, http.StatusCreated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			profile := object{"sensitive_metadata": tc.sensitive}
			if tc.metadata != nil {
				profile["metadata"] = tc.metadata
			}
			r := c.do("POST", "/v2/end-users/", object{"profile": profile})
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want, r.body)
			}
			if tc.want == http.StatusBadRequest && strings.Contains(string(r.body), `"v"`) {
				t.Fatalf("error echoes a sensitive value: %s", r.body)
			}
		})
	}
	// On PATCH, overlapping a metadata key is allowed (the rule is documented for create only)
	// and a null value removes a key.
	c.expect(http.StatusOK, "PATCH", "/v2/end-users/"+id, object{"profile": object{
		"metadata": object{"plan": "pro"}, "sensitive_metadata": object{"fields": object{"plan": "x", "gone": nil}}}})
}

func TestEndUserListPagination(t *testing.T) {
	c := newSim(t, adasim.Options{Seed: 7})
	const total = 23
	want := map[string]bool{}
	var order []string
	for range total {
		id := str(c.createEndUser(object{})["end_user_id"])
		want[id] = true
		order = append(order, id)
	}

	for _, limit := range []int{1, 5, 10, 23, 100} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			seen := map[string]bool{}
			var got []string
			next := fmt.Sprintf("/v2/end-users/?limit=%d", limit)
			pages := 0
			for next != "" {
				pages++
				if pages > total+1 {
					t.Fatal("pagination does not end")
				}
				page := c.expect(http.StatusOK, "GET", next, nil)
				data := page["data"].([]any)
				if len(data) > limit {
					t.Fatalf("page of %d, limit %d", len(data), limit)
				}
				for _, item := range data {
					id := str(item.(object)["end_user_id"])
					if seen[id] {
						t.Fatalf("duplicate %s", id)
					}
					seen[id] = true
					got = append(got, id)
				}
				meta := page["meta"].(object)
				nextURL, isString := meta["next_page_url"].(string)
				if !isString {
					if v, ok := meta["next_page_url"]; !ok || v != nil {
						t.Fatalf("last page meta = %v, want next_page_url: null", meta)
					}
				}
				if isString {
					u, err := url.Parse(nextURL)
					if err != nil || !u.IsAbs() || u.Path != "/api/v2/end-users/" || u.Query().Get("cursor") == "" || u.Query().Get("limit") != fmt.Sprint(limit) {
						t.Fatalf("next_page_url %q is not an absolute URL with cursor and limit", nextURL)
					}
					if !hexID.MatchString(u.Query().Get("cursor")) {
						t.Fatalf("cursor %q is not an id", u.Query().Get("cursor"))
					}
				}
				next = nextURL
			}
			if fmt.Sprint(got) != fmt.Sprint(order) {
				t.Fatalf("walked %d end users %v, want %d in creation order", len(got), got, total)
			}
			if wantPages := (total + limit - 1) / limit; pages != wantPages {
				t.Fatalf("%d pages, want %d", pages, wantPages)
			}
		})
	}

	// The default limit is 100; limits outside 1-100 and unknown cursors are 400.
	page := c.expect(http.StatusOK, "GET", "/v2/end-users/", nil)
	if n := len(page["data"].([]any)); n != total {
		t.Fatalf("default page has %d, want %d", n, total)
	}
	for _, bad := range []string{"limit=0", "limit=101", "limit=abc", "cursor=ffffffffffffffffffffffff", "cursor="} {
		c.expectError(http.StatusBadRequest, "bad_request", "GET", "/v2/end-users/?"+bad, nil)
	}
}

func TestUnattachedEndUsersExpireAfter24Hours(t *testing.T) {
	clk := newFakeClock()
	c := newSim(t, adasim.Options{Clock: clk.Now})
	lonely := c.createEndUser(object{"external_id": "lonely"})
	kept := c.createEndUser(object{"external_id": "kept"})
	c.startConversation(str(kept["end_user_id"]))
	viaConversation := c.startConversation("") // created with the conversation: attached

	clk.Advance(24*time.Hour - time.Second)
	c.expect(http.StatusOK, "GET", "/v2/end-users/"+str(lonely["end_user_id"]), nil)

	clk.Advance(time.Second)
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/end-users/"+str(lonely["end_user_id"]), nil)
	c.expectError(http.StatusNotFound, "not_found", "GET", "/v2/end-users/?external_id=lonely", nil)
	c.expect(http.StatusOK, "GET", "/v2/end-users/"+str(kept["end_user_id"]), nil)
	c.expect(http.StatusOK, "GET", "/v2/end-users/"+str(viaConversation["end_user_id"]), nil)
	list := c.expect(http.StatusOK, "GET", "/v2/end-users/", nil)
	if n := len(list["data"].([]any)); n != 2 {
		t.Fatalf("list has %d end users after expiry, want 2", n)
	}
	// The external_id is free again: a POST creates a new end user (201).
	again := c.createEndUser(object{"external_id": "lonely"})
	if again["end_user_id"] == lonely["end_user_id"] {
		t.Fatal("expired end user came back")
	}
	// A conversation cannot be started with the deleted end user.
	c.expectError(http.StatusNotFound, "not_found", "POST", "/v2/conversations/", object{
		"channel_id": c.sim.DefaultChannelID(), "end_user_id": lonely["end_user_id"]})
}
