package schemas_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

func TestCreateRequestDropsNullSensitiveValues(t *testing.T) {
	p := &schemas.ProfileArgs{FirstName: adaclient.Value("Ana"), Metadata: schemas.Metadata{"plan": "gold"}}
	req := p.CreateRequest("crm-1", schemas.SensitiveMetadata{"token": "t-123456", "old": nil})
	b, _ := json.Marshal(req)
	want := `{"external_id":"crm-1","profile":{"first_name":"Ana","metadata":{"plan":"gold"},"sensitive_metadata":{"fields":{"token":"t-123456"}}}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var nothing *schemas.ProfileArgs
	if b, _ := json.Marshal(nothing.CreateRequest("crm-2", nil)); string(b) != `{"external_id":"crm-2"}` {
		t.Fatalf("empty create = %s", b)
	}
}

func TestUpdateRequestAlwaysSendsProfile(t *testing.T) {
	var p *schemas.ProfileArgs
	b, _ := json.Marshal(p.UpdateRequest(adaclient.Null[string](), nil))
	if string(b) != `{"external_id":null,"profile":{}}` {
		t.Fatalf("got %s", b)
	}
	b, _ = json.Marshal((&schemas.ProfileArgs{Language: adaclient.Null[string]()}).UpdateRequest(adaclient.Nullable[string]{}, schemas.SensitiveMetadata{"gone": nil}))
	if string(b) != `{"profile":{"language":null,"sensitive_metadata":{"fields":{"gone":null}}}}` {
		t.Fatalf("got %s", b)
	}
}

func TestEndUserFromOmitsNulls(t *testing.T) {
	name := "Ana"
	u := schemas.EndUserFrom(&adaclient.EndUser{EndUserID: "u1", Profile: adaclient.Profile{FirstName: &name, Metadata: map[string]any{"a": 1}}})
	b, _ := json.Marshal(u)
	if string(b) != `{"end_user_id":"u1","profile":{"first_name":"Ana","metadata":{"a":1}}}` {
		t.Fatalf("got %s", b)
	}
}

func TestSensitiveKeysAreSortedAndSplit(t *testing.T) {
	k := schemas.SensitiveKeysOf(schemas.SensitiveMetadata{"b": "x", "a": 1, "z": nil})
	if strings.Join(k.SensitiveKeysSet, ",") != "a,b" || strings.Join(k.SensitiveKeysRemoved, ",") != "z" {
		t.Fatalf("got %+v", k)
	}
}

func TestSchemasAreCachedAndExplicit(t *testing.T) {
	a, b := schemas.For[schemas.UpdateEndUserArgs](), schemas.For[schemas.UpdateEndUserArgs]()
	if &a[0] != &b[0] {
		t.Error("schema reflected twice")
	}
	s := string(a)
	for _, bad := range []string{`:true`, `"$schema"`, `"$ref"`, `"$defs"`} {
		if strings.Contains(s, bad) {
			t.Errorf("schema contains %s: %s", bad, s)
		}
	}
	// external_id: null clears it, so null must be allowed, as anyOf.
	if !strings.Contains(s, `"external_id":{"anyOf":[{"type":"string"},{"type":"null"}]`) {
		t.Errorf("external_id schema: %s", s)
	}
}

func TestArgumentValidation(t *testing.T) {
	cases := []struct {
		name string
		v    interface{ Validate() error }
		ok   bool
	}{
		{"lookup neither", &schemas.LookupEndUserArgs{}, false},
		{"lookup both", &schemas.LookupEndUserArgs{EndUserID: "u", ExternalID: "e"}, false},
		{"lookup one", &schemas.LookupEndUserArgs{ExternalID: "e"}, true},
		{"upsert by id", &schemas.UpsertEndUserArgs{EndUserID: "u"}, true},
		{"update nothing", &schemas.UpdateEndUserArgs{EndUserID: "u"}, false},
		{"update clear external id", &schemas.UpdateEndUserArgs{EndUserID: "u", ExternalID: adaclient.Null[string]()}, true},
		{"start both ids", &schemas.StartConversationArgs{EndUserID: "u", ExternalID: "e"}, false},
		{"start blank", &schemas.StartConversationArgs{}, true},
		{"human agent without name", &schemas.SendMessageArgs{Role: "human_agent"}, false},
		{"wait too long", &schemas.SendMessageArgs{WaitForReplySeconds: 61}, false},
	}
	for _, tc := range cases {
		if err := tc.v.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v", tc.name, err)
		}
	}
}

type leanInner struct {
	B string `json:"b" jsonschema_description:"inner field"`
	C struct {
		D string `json:"d"`
	} `json:"c"`
}

type leanOuter struct {
	A     string      `json:"a" jsonschema:"required" jsonschema_description:"outer field"`
	Inner leanInner   `json:"inner"`
	List  []leanInner `json:"list"`
}

// Published schemas are lean: inputs closed only at the root, outputs to
// two levels of fields without descriptions or additionalProperties.
func TestPublishedSchemasAreLean(t *testing.T) {
	var in, out map[string]any
	if err := json.Unmarshal(schemas.Input[leanOuter](), &in); err != nil {
		t.Fatal(err)
	}
	if in["additionalProperties"] != false {
		t.Fatalf("input root not closed: %v", in)
	}
	inner := in["properties"].(map[string]any)["inner"].(map[string]any)
	if _, ok := inner["additionalProperties"]; ok {
		t.Fatalf("nested input object still closed: %v", inner)
	}
	if inner["properties"].(map[string]any)["b"].(map[string]any)["description"] != "inner field" {
		t.Fatal("input descriptions are kept")
	}
	if err := json.Unmarshal(schemas.Output[leanOuter](), &out); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	for _, absent := range []string{"additionalProperties", "description", `"d"`} {
		if strings.Contains(string(b), absent) {
			t.Errorf("output schema has %s: %s", absent, b)
		}
	}
	props := out["properties"].(map[string]any)
	if props["inner"].(map[string]any)["properties"].(map[string]any)["c"].(map[string]any)["type"] != "object" {
		t.Fatalf("second level lost: %s", b)
	}
	items := props["list"].(map[string]any)["items"].(map[string]any)
	if _, ok := items["properties"].(map[string]any)["b"]; !ok {
		t.Fatalf("array items are their array's level: %s", b)
	}
	if req, _ := out["required"].([]any); len(req) != 1 || req[0] != "a" {
		t.Fatalf("root required lost: %s", b)
	}
	// The strict schema For is unchanged: what arguments are checked against.
	if !strings.Contains(string(schemas.For[leanOuter]()), `"additionalProperties":false,"type":"object"},"list"`) &&
		strings.Count(string(schemas.For[leanOuter]()), `"additionalProperties":false`) < 3 {
		t.Fatalf("strict schema: %s", schemas.For[leanOuter]())
	}
}
