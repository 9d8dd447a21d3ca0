package tools_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

// TestToolEnumsCoverOpenAPI checks each tool argument that passes one of Ada's enums through
// against the enum in Ada's OpenAPI document: every value Ada accepts must be offered (a value
// missing from the tool's schema is refused locally though Ada takes it), and a value beyond
// the document only where Ada's newer docs add it (ada-api.md names them).
func TestToolEnumsCoverOpenAPI(t *testing.T) {
	v, err := openapicheck.Load("../testdata/ada-openapi/ada-knowledge-openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	// sms: "The sms modality is [C-docs] (create-channel page now lists messaging, email,
	// voice, sms); the stored spec enum is messaging|email|voice" (ada-api.md section 2).
	newerDocs := map[string][]string{"V2ChannelsGetParametersModality": {"sms"}, "BaseChannelModality": {"sms"}}
	cases := []struct{ tool, arg, schema string }{
		{"list_channels", "type", "V2ChannelsGetParametersType"},
		{"list_channels", "modality", "V2ChannelsGetParametersModality"},
		{"create_channel", "modality", "BaseChannelModality"}, // CustomChannel.modality
		{"send_message", "role", "ConversationMessageAuthorRole"},
		{"upload_attachment", "send_as", "ConversationMessageAuthorRole"},
	}
	byName := map[string]json.RawMessage{}
	for _, tool := range allTools(t) {
		byName[tool.Name()] = tool.Definition.RawInputSchema
	}
	for _, tc := range cases {
		t.Run(tc.tool+"."+tc.arg, func(t *testing.T) {
			doc := v.Schema(tc.schema)
			if doc == nil || doc.Value == nil || len(doc.Value.Enum) == 0 {
				t.Fatalf("the document has no enum %s", tc.schema)
			}
			var want []string
			for _, e := range doc.Value.Enum {
				want = append(want, fmt.Sprint(e))
			}
			got := toolEnum(t, byName[tc.tool], tc.arg)
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("%s %s enum %q lacks %q, which Ada's %s accepts", tc.tool, tc.arg, got, w, tc.schema)
				}
			}
			for _, g := range got {
				if !slices.Contains(want, g) && !slices.Contains(newerDocs[tc.schema], g) {
					t.Errorf("%s %s offers %q, which neither Ada's %s nor its newer docs list", tc.tool, tc.arg, g, tc.schema)
				}
			}
		})
	}
}

// toolEnum is the enum of a top-level argument in a tool's input schema.
func toolEnum(t *testing.T, schema json.RawMessage, arg string) []string {
	t.Helper()
	var s struct {
		Properties map[string]struct {
			Enum []string `json:"enum"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema, &s); err != nil {
		t.Fatal(err)
	}
	p, ok := s.Properties[arg]
	if !ok || len(p.Enum) == 0 {
		t.Fatalf("no enum argument %s in %s", arg, schema)
	}
	return p.Enum
}
