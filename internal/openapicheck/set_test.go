package openapicheck_test

import (
	"context"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/openapicheck"
)

const exportDocPath = "../../testdata/ada-openapi/ada-data-export-openapi.yml"

// The Data Export document loads with exceptions of its own: the Platform API document's do not
// apply to it (and would fail Load, their defects being absent there).
func TestLoadExportDocument(t *testing.T) {
	v, err := openapicheck.Load(exportDocPath)
	if err != nil {
		t.Fatal(err)
	}
	if v.Title() != "Data Export" {
		t.Fatalf("title %q", v.Title())
	}
	if v.Schema("ConversationsResponse") == nil {
		t.Fatal("no ConversationsResponse schema")
	}
}

func TestSetChecksEachExchangeAgainstItsDocument(t *testing.T) {
	set, err := openapicheck.LoadSet(docPath, exportDocPath)
	if err != nil {
		t.Fatal(err)
	}
	const (
		conversation = `{"_id":"c1","chatter_id":"u1","end_user_id":"u1","date_created":"2026-07-01T00:00:00.000000Z","date_updated":"2026-07-01T00:00:00.000000Z","csat":{},"metavariables":{"plan":"gold"},"is_escalated":false}`
		exportWindow = "?created_since=2026-07-01T00:00:00Z&created_to=2026-07-08T00:00:00Z"
	)
	cases := []struct {
		name string
		ex   openapicheck.Exchange
		want []openapicheck.Kind
	}{
		{"export page", exchange("GET", "/api/v2/export/conversations"+exportWindow, "", 200, `{"data":[`+conversation+`],"meta":{"next_page_uri":null}}`), nil},
		{"export page, next", exchange("GET", "/api/v2/export/messages"+exportWindow, "", 200, `{"data":[],"meta":{"next_page_uri":"https://x.ada.support/api/v2/export/messages?created_since=2026-07-02T00:00:00Z"}}`), nil},
		{"export record _id not a string", exchange("GET", "/api/v2/export/conversations"+exportWindow, "", 200, `{"data":[{"_id":5}],"meta":{}}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"export date not a date-time", exchange("GET", "/api/v2/export/conversations"+exportWindow, "", 200, `{"data":[{"date_created":"yesterday"}],"meta":{}}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"export 403", exchange("GET", "/api/v2/export/conversations"+exportWindow, "", 403, errorsBody), nil},
		{"export messages without created_since", exchange("GET", "/api/v2/export/messages", "", 400, errorsBody), []openapicheck.Kind{openapicheck.KindRequest}},
		{"export POST", exchange("POST", "/api/v2/export/conversations", "{}", 405, errorsBody), []openapicheck.Kind{openapicheck.KindRoute}},
		{"platform API exchange", exchange("GET", "/api/v2/end-users/abc", "", 200, endUser), nil},
		{"platform API still checked", exchange("GET", "/api/v2/end-users/abc", "", 200, `{"end_user_id":5}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"deletion job", exchange("GET", "/api/v2/jobs/j1", "", 200, `{"job_id":"j1","status":"queued","identifiers":[{"type":"email","value":"a@b.c","disposition":"accepted","matched_chatters":1}]}`), nil},
		{"deletion job status outside the enum", exchange("GET", "/api/v2/jobs/j1", "", 200, `{"job_id":"j1","status":"paused"}`), []openapicheck.Kind{openapicheck.KindResponse}},
		{"no document's path", exchange("GET", "/api/v2/nowhere", "", 404, errorsBody), []openapicheck.Kind{openapicheck.KindRoute}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := set.Check(context.Background(), tc.ex)
			var kinds []openapicheck.Kind
			for _, v := range got {
				kinds = append(kinds, v.Kind)
			}
			if !equalKinds(kinds, tc.want) {
				t.Fatalf("violations %v, want kinds %v", got, tc.want)
			}
		})
	}
	req := exchange("GET", "/api/v2/export/messages?created_since=2026-07-01T00:00:00Z&page_size=x", "", 0, "")
	if got := set.CheckRequest(context.Background(), req.Request, nil); len(got) != 1 || got[0].Kind != openapicheck.KindRequest {
		t.Fatalf("CheckRequest %v, want one request violation (page_size is an integer)", got)
	}
}

func TestLoadSetNeedsADocument(t *testing.T) {
	if _, err := openapicheck.LoadSet(); err == nil {
		t.Fatal("LoadSet() succeeded")
	}
	if _, err := openapicheck.LoadSet(docPath, "missing.yml"); err == nil {
		t.Fatal("LoadSet with a missing document succeeded")
	}
}
