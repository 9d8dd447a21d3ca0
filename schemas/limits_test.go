package schemas_test

import (
	"encoding/json"
	"testing"

	"github.com/ada-mcp/ada-mcp/schemas"
)

// at digs a node out of a schema: at(doc, "properties", "body").
func at(t *testing.T, raw json.RawMessage, path ...string) map[string]any {
	t.Helper()
	var cur any
	if err := json.Unmarshal(raw, &cur); err != nil {
		t.Fatal(err)
	}
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("no %v in %s", path, raw)
		}
		cur = m[p]
	}
	m, _ := cur.(map[string]any)
	return m
}

// The bounds written in struct tags (published) are the documented
// constants; Bounded adds the defaults to the rest, and keeps the map
// values' longer bound and a nullable string's own.
func TestBounds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		schema json.RawMessage
		path   []string
		key    string
		want   float64
	}{
		{"message", schemas.Input[schemas.SendMessageArgs](), []string{"properties", "body"}, "maxLength", schemas.MaxMessageLength},
		{"question", schemas.Input[schemas.AskAIAgentArgs](), []string{"properties", "question"}, "maxLength", schemas.MaxMessageLength},
		{"email text", schemas.Input[schemas.StartEmailConversationArgs](), []string{"properties", "text"}, "maxLength", schemas.MaxEmailTextLength},
		{"base64", schemas.Input[schemas.UploadAttachmentArgs](), []string{"properties", "content_base64"}, "maxLength", schemas.MaxContentBase64},
		{"instruction", schemas.Input[schemas.CreateCustomInstructionArgs](), []string{"properties", "text"}, "maxLength", schemas.MaxInstructionLength},
		{"instruction notes", schemas.Input[schemas.UpdateCustomInstructionArgs](), []string{"properties", "notes"}, "maxLength", schemas.MaxInstructionLength},
		{"rule", schemas.Input[schemas.CreateCustomInstructionArgs](), []string{"properties", "availability_rules"}, "maxLength", schemas.MaxRuleLength},
		{"nullable rule", schemas.Input[schemas.UpdateCustomInstructionArgs](), []string{"properties", "availability_rules"}, "maxLength", schemas.MaxRuleLength},
		{"persona", schemas.Input[schemas.UpdatePersonaArgs](), []string{"properties", "company_description"}, "maxLength", schemas.MaxInstructionLength},
		{"article", schemas.Input[schemas.UpsertArticlesArgs](), []string{"properties", "articles", "items", "properties", "content"}, "maxLength", schemas.MaxArticleLength},
		{"default string", schemas.Bounded[schemas.SendMessageArgs](), []string{"properties", "conversation_id"}, "maxLength", schemas.DefaultMaxStringLength},
		{"default array", schemas.Bounded[schemas.StartEmailConversationArgs](), []string{"properties", "cc"}, "maxItems", schemas.DefaultMaxItems},
		{"default map", schemas.Bounded[schemas.UpsertEndUserArgs](), []string{"properties", "sensitive_metadata"}, "maxProperties", schemas.DefaultMaxProperties},
		{"map value", schemas.Bounded[schemas.UpsertEndUserArgs](), []string{"properties", "sensitive_metadata", "additionalProperties"}, "maxLength", schemas.MaxMapValueLength},
		{"documented array", schemas.Bounded[schemas.DeleteEndUserDataArgs](), []string{"properties", "identifiers"}, "maxItems", 1000},
	} {
		node := at(t, tc.schema, tc.path...)
		got, ok := node[tc.key]
		if branches, nullable := node["anyOf"].([]any); !ok && nullable {
			// A nullable string's bound is on its string branch (hoistTypedKeywords).
			for _, b := range branches {
				if m := b.(map[string]any); m["type"] == "string" {
					got = m[tc.key]
				}
			}
		}
		if got != tc.want {
			t.Errorf("%s: %s = %v, want %v", tc.name, tc.key, got, tc.want)
		}
	}
	// The default is not published: it would cost tokens and say nothing.
	if _, ok := at(t, schemas.Input[schemas.SendMessageArgs](), "properties", "conversation_id")["maxLength"]; ok {
		t.Error("the default bound is in the published schema")
	}
	// A nullable text keeps its own bound, not the default, on its string.
	rule := at(t, schemas.Bounded[schemas.UpdateCustomInstructionArgs](), "properties", "availability_rules")
	if rule["maxLength"] != float64(schemas.MaxRuleLength) {
		t.Errorf("nullable rule in the checked schema: %v", rule)
	}
}
