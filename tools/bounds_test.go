package tools_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// nestedObject is {"a":{"a":...}} with n objects.
func nestedObject(n int) any {
	var v any = map[string]any{}
	for range n - 1 {
		v = map[string]any{"a": v}
	}
	return v
}

func keys(n int, value any) map[string]any {
	m := make(map[string]any, n)
	for i := range n {
		m["k"+strconv.Itoa(i)] = value
	}
	return m
}

// Every string, array and map argument is bounded: Ada's limit where it
// documents one, a generous one elsewhere. A value over its bound is an
// isError naming the field and the bound, and nothing reaches Ada.
func TestArgumentsOverTheirBoundsAreRefused(t *testing.T) {
	sim := newCountingSim(t)
	h := newHarness(t, harnessOpts{backend: sim, toolsets: []string{"all"}})
	numbers := make([]any, 30)
	for i := range numbers {
		numbers[i] = i
	}
	for _, tc := range []struct {
		name, tool string
		args       map[string]any
		want       string
	}{
		{"an id-like string", "upsert_end_user", map[string]any{"external_id": "c1", "profile": map[string]any{"first_name": strings.Repeat("x", 4097)}},
			"Invalid argument profile.first_name: must be at most 4096 characters long (got 4097)."},
		{"characters, not bytes", "upsert_end_user", map[string]any{"external_id": "c1", "profile": map[string]any{"last_name": strings.Repeat("é", 4097)}},
			"profile.last_name: must be at most 4096 characters long (got 4097)"},
		{"a metadata value", "upsert_end_user", map[string]any{"external_id": "c1", "profile": map[string]any{"metadata": map[string]any{"note": strings.Repeat("x", 10241)}}},
			"profile.metadata.note: must be at most 10240 characters long"},
		{"a message", "send_message", map[string]any{"conversation_id": "c", "body": strings.Repeat("x", 32769)},
			"body: must be at most 32768 characters long (got 32769)"},
		{"an article", "upsert_articles", map[string]any{"articles": []any{map[string]any{"id": "a", "name": "n", "knowledge_source_id": "k", "content": strings.Repeat("x", 102401)}}},
			"articles.0.content: must be at most 102400 characters long"},
		{"a nullable text", "update_custom_instruction", map[string]any{"custom_instruction_id": "ci", "availability_rules": strings.Repeat("x", 16385)},
			"availability_rules: must be at most 16384 characters long"},
		{"an identifier list", "delete_end_user_data", map[string]any{"client_reference": "r", "identifiers": make([]any, 1001)},
			"identifiers: must have at most 1000 items (got 1001)"},
		{"an id filter", "list_articles", map[string]any{"id": make([]any, 1001)},
			"Invalid argument id: must have at most 1000 items (got 1001)"},
		{"metadata keys", "upsert_end_user", map[string]any{"external_id": "c1", "profile": map[string]any{"metadata": keys(2001, 1)}},
			"profile.metadata: must have at most 2000 keys (got 2001)"},
		{"nesting (in-process callers too)", "create_knowledge_source", map[string]any{"id": "ks", "name": "n", "metadata": map[string]any{"x": nestedObject(32)}},
			"Invalid argument metadata.x." + strings.Repeat("a.", 29) + "a: is nested deeper than 32 levels"},
		{"many problems, ten told", "delete_end_user_data", map[string]any{"identifiers": numbers},
			"; and 21 more."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if msg := h.Err(tc.tool, tc.args); !strings.Contains(msg, tc.want) {
				t.Errorf("%s: %q lacks %q", tc.tool, msg, tc.want)
			}
		})
	}
	if n := sim.count(http.MethodPost) + sim.count(http.MethodGet) + sim.count(http.MethodPatch) + sim.count(http.MethodDelete); n != 0 {
		t.Fatalf("%d requests reached Ada", n)
	}
	// At the bound, values pass.
	h.OK("upsert_end_user", map[string]any{"external_id": "c1", "profile": map[string]any{
		"first_name": strings.Repeat("x", 4096), "metadata": map[string]any{"note": strings.Repeat("x", 9000)}}})
	h.OK("create_knowledge_source", map[string]any{"id": "ks", "name": "n", "metadata": map[string]any{"x": nestedObject(30)}})
}
