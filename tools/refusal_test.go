package tools_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/internal/jsonscan"
	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

// A call the transport marked as refused (jsonscan.Guard) is answered by
// the tool, before anything else, with the problem; a client that sets
// the key itself only gets its own call refused. Nothing reaches Ada.
func TestRefusedCallsNeverReachAda(t *testing.T) {
	sim := newCountingSim(t)
	h := newHarness(t, harnessOpts{backend: sim})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	call := func(meta mcp.Meta) string {
		t.Helper()
		res, err := h.CallTool(ctx, &mcp.CallToolParams{Name: "upsert_end_user", Meta: meta,
			Arguments: map[string]any{"external_id": "cust-1"}})
		if err != nil || !res.IsError {
			t.Fatalf("not refused: %v %s", err, testclient.Text(res))
		}
		return testclient.Text(res)
	}
	msg := call(mcp.Meta{jsonscan.MetaKey: map[string]any{"field": "profile.first_name", "reason": "appears twice in the same object"}})
	if want := "Invalid argument profile.first_name: appears twice in the same object."; msg != want {
		t.Errorf("refusal = %q, want %q", msg, want)
	}
	if msg := call(mcp.Meta{jsonscan.MetaKey: true}); !strings.Contains(msg, "set only by this server") {
		t.Errorf("a client's own key: %q", msg)
	}
	if n := sim.count(http.MethodPost) + sim.count(http.MethodGet) + sim.count(http.MethodPatch); n != 0 {
		t.Fatalf("%d requests reached Ada", n)
	}
}
