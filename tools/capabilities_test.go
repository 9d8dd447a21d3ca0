package tools_test

import "testing"

// openWorldHint says whether a tool reaches outside the server: every tool
// calls Ada except get_capabilities, which reads only the server's own
// configuration.
func TestOpenWorldHintIsWhetherTheToolCallsAda(t *testing.T) {
	for _, tool := range allTools(t) {
		want := tool.Name() != "get_capabilities"
		if got := tool.Definition.Annotations.OpenWorldHint; got == nil || *got != want {
			t.Errorf("%s: openWorldHint %v, want %v", tool.Name(), got, want)
		}
	}
}
