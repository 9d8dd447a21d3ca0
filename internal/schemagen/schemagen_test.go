package schemagen_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/schemagen"
	"github.com/ada-mcp/ada-mcp/schemas"
)

func TestSchemasAreCachedAndExplicit(t *testing.T) {
	a, b := schemagen.For(reflect.TypeFor[schemas.UpdateEndUserArgs]()), schemagen.For(reflect.TypeFor[schemas.UpdateEndUserArgs]())
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
	if err := json.Unmarshal(schemagen.Published(reflect.TypeFor[leanOuter](), schemas.KindInput), &in); err != nil {
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
	if err := json.Unmarshal(schemagen.Published(reflect.TypeFor[leanOuter](), schemas.KindOutput), &out); err != nil {
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
	if !strings.Contains(string(schemagen.For(reflect.TypeFor[leanOuter]())), `"additionalProperties":false,"type":"object"},"list"`) &&
		strings.Count(string(schemagen.For(reflect.TypeFor[leanOuter]())), `"additionalProperties":false`) < 3 {
		t.Fatalf("strict schema: %s", schemagen.For(reflect.TypeFor[leanOuter]()))
	}
}
