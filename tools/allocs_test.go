package tools_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/tools"
)

// cannedAda answers every request with one end user, without a network:
// what is left to count is the tool path's own work.
type cannedAda struct{}

const cannedEndUser = `{"id":"6650f0c2b7e4d3a1c0f00001","external_id":"cust-42","created_at":"2026-01-01T00:00:00.000000+00:00",` +
	`"updated_at":"2026-01-01T00:00:00.000000+00:00","profile":{"first_name":"Ana","last_name":"Silva","display_name":"Ana",` +
	`"email":"ana@example.com","language":"en","metadata":{"plan":"pro","orders":3}}}`

func (cannedAda) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(cannedEndUser)), Request: r}, nil
}

// allocsPerLookup is what one lookup_end_user call allocates, from the
// decoded request to the result: arguments, validation, the Ada request and
// its decoding, redaction, fencing. Measured at 69 (135 before arguments
// were checked as bytes, 118 before internal/jsondec decoded them and
// Ada's answer, 81 before response bodies and result encoders were reused
// and bodiless requests shared the client's headers); the margin lets
// small changes through, not encoding/json's decoder back, a generic
// decode of the arguments, a new copy of the result or a per-call compile.
const allocsPerLookup = 80

// allocsPerLookupRace is the budget under -race, where pools keep less
// (see raceEnabled): measured at 81.
const allocsPerLookupRace = 92

// TestToolCallAllocations guards the tool path's cost without timing it:
// allocations per call are the same on every machine.
func TestToolCallAllocations(t *testing.T) {
	client, err := adaclient.New("http://ada.invalid/api", apiKey, adaclient.WithHTTPClient(&http.Client{Transport: cannedAda{}}))
	if err != nil {
		t.Fatal(err)
	}
	red := redact.New(redact.WithSecrets(apiKey))
	logger := slog.New(redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), red)) // info, as served
	deps := &tools.Deps{Client: client, Redactor: red, Logger: logger}
	all, err := tools.Select(tools.Toolsets(deps), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var lookup tools.Tool
	for _, tl := range all {
		if tl.Name() == "lookup_end_user" {
			lookup = tl
		}
	}
	raw := json.RawMessage(`{"external_id":"cust-42"}`)
	req := mcp.CallToolRequest{}
	req.Params.Name = "lookup_end_user"
	req.Params.RawArguments = raw
	req.Params.Arguments = map[string]any{"external_id": "cust-42"}
	ctx := context.Background()
	call := func() {
		res, err := lookup.Handler(ctx, req)
		if err != nil || res.IsError {
			t.Fatalf("lookup_end_user: %v %v", err, res)
		}
	}
	call() // compiles the validator, warms the caches
	budget := allocsPerLookup
	if raceEnabled {
		budget = allocsPerLookupRace
	}
	got := testing.AllocsPerRun(200, call)
	t.Logf("%.0f allocations per lookup_end_user call (budget %d)", got, budget)
	if got > float64(budget) {
		t.Fatalf("%.0f allocations per call, over the budget of %d: find the new ones (go test -memprofile) or raise the budget deliberately", got, budget)
	}
}
