package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/paging"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetExport = "export"

const (
	// maxExportPagesPerCall bounds the Ada requests of one call (Data Export allows 100 a
	// minute): enough to cross 12 empty months, 7 windows of 60 days, in one call.
	maxExportPagesPerCall = 10
	// exportTimeReserve: a call asks Ada for no further page with less than this left of its
	// time; it returns what it has and a cursor.
	exportTimeReserve = 5 * time.Second
)

func exportTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "export_conversations", title: "Export conversations", toolset: toolsetExport, hints: reads,
			description: "List conversations created, or updated (by: updated), between start and end, any span in the past 12 months: end user, language, escalation, CSAT, summary, topic, metavariables. No tool gives more fields. Continue with next_cursor.",
		}, d, exportConversations),
		newTool(meta{
			name: "export_messages", title: "Export messages", toolset: toolsetExport, hints: reads,
			description: "List messages created between start and end, any span in the past 12 months, optionally of one conversation_id: sender, recipient, text. No tool gives more fields. Continue with next_cursor. For a live conversation, list_messages.",
		}, d, exportMessages),
	}
}

func exportConversations(ctx context.Context, env *Env, a *schemas.ExportConversationsArgs) (*schemas.ExportConversationsResult, error) {
	plan, err := a.Plan(env.Deps.now())
	if err != nil {
		return nil, err
	}
	by := plan.By
	recs, more, warning, err := runExport(ctx, env, plan, exportSource[adaclient.ExportConversation, schemas.ExportConversation]{
		noun: "conversations",
		fetch: func(ctx context.Context, q *adaclient.ExportQuery) ([]adaclient.ExportConversation, *adaclient.Response, error) {
			return env.Client.Export.Conversations(ctx, q)
		},
		id: func(c *adaclient.ExportConversation) string { return c.ID },
		at: func(c *adaclient.ExportConversation) string {
			if by == adaclient.ExportByUpdated {
				return c.DateUpdated
			}
			return c.DateCreated
		},
		convert: schemas.ExportConversationFrom,
	})
	if err != nil {
		return nil, exportHint(err)
	}
	res := &schemas.ExportConversationsResult{Conversations: recs, Window: schemas.ExportWindowOf(plan), Note: joinNotes(plan.Note, warning)}
	if more {
		res.NextCursor, res.HasMore = plan.Cursor(), true
	}
	return res, nil
}

func exportMessages(ctx context.Context, env *Env, a *schemas.ExportMessagesArgs) (*schemas.ExportMessagesResult, error) {
	plan, err := a.Plan(env.Deps.now())
	if err != nil {
		return nil, err
	}
	recs, more, warning, err := runExport(ctx, env, plan, exportSource[adaclient.ExportMessage, schemas.ExportMessage]{
		noun: "messages",
		fetch: func(ctx context.Context, q *adaclient.ExportQuery) ([]adaclient.ExportMessage, *adaclient.Response, error) {
			return env.Client.Export.Messages(ctx, q)
		},
		id:      func(m *adaclient.ExportMessage) string { return m.ID },
		at:      func(m *adaclient.ExportMessage) string { return m.DateCreated },
		convert: schemas.ExportMessageFrom,
	})
	if err != nil {
		return nil, exportHint(err)
	}
	res := &schemas.ExportMessagesResult{Messages: recs, Window: schemas.ExportWindowOf(plan), Note: joinNotes(plan.Note, warning)}
	if more {
		res.NextCursor, res.HasMore = plan.Cursor(), true
	}
	return res, nil
}

// exportSource is one export endpoint: how to fetch a page of T and read and convert its
// records into R.
type exportSource[T, R any] struct {
	noun    string
	fetch   func(context.Context, *adaclient.ExportQuery) ([]T, *adaclient.Response, error)
	id      func(*T) string
	at      func(*T) string // the time the plan's window is on
	convert func(*T) R
}

// runExport walks the plan from its position: page after page of Ada's, window after window,
// until the call holds plan.PageSize records or about MaxExportResultBytes, has asked Ada for
// maxExportPagesPerCall pages, or is short of time; the plan's position is then right after
// the last record returned (more is true). It sends a progress notification per page. An
// error after some records ends the call with them and a warning, the position at the page
// that failed.
func runExport[T, R any](ctx context.Context, env *Env, plan *paging.ExportPlan, src exportSource[T, R]) (out []R, more bool, warning string, err error) {
	out = []R{}
	size := 0
	for pages := 0; ; {
		if len(out) >= plan.PageSize || pages >= maxExportPagesPerCall || (pages > 0 && shortOfTime(ctx)) {
			return out, true, "", nil
		}
		q, ok := plan.Query(env.Deps.now())
		if !ok {
			if !plan.NextWindow() {
				return out, false, "", nil
			}
			continue
		}
		window := plan.Pos.Window
		recs, r, err := src.fetch(ctx, &q)
		if err != nil {
			if len(out) > 0 && adaclient.StatusCode(err) != http.StatusBadRequest {
				return out, true, "Stopped early: " + describe(err) + " next_cursor continues from here.", nil
			}
			return nil, false, "", err
		}
		pages++
		env.progress(ctx, float64(pages), maxExportPagesPerCall, fmt.Sprintf("Data Export page %d: %d %s from the window starting %s",
			pages, len(recs), src.noun, window.Format(time.RFC3339)))
		ids, times := make([]string, len(recs)), make([]string, len(recs))
		for i := range recs {
			ids[i], times[i] = src.id(&recs[i]), src.at(&recs[i])
		}
		for i := plan.Resume(ids); i < len(recs); i++ {
			if slices.Contains(plan.Pos.Skip, ids[i]) {
				continue // the previous page's, again
			}
			rec := src.convert(&recs[i])
			b, err := json.Marshal(rec)
			if err != nil {
				return nil, false, "", internalError{fmt.Errorf("encoding an export record: %w", err)}
			}
			if len(out) >= plan.PageSize || (len(out) > 0 && size+len(b)+1 > paging.MaxExportResultBytes) {
				plan.Pos.Consumed, plan.Pos.Last = i, ""
				if i > 0 {
					plan.Pos.Last = ids[i-1]
				}
				return out, true, "", nil
			}
			out, size = append(out, rec), size+len(b)+1
		}
		if !plan.NextPage(r.NextPageURL, ids, times) && !plan.NextWindow() {
			return out, false, "", nil
		}
	}
}

// shortOfTime reports whether the call has too little time left for another page.
func shortOfTime(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < exportTimeReserve
}

func joinNotes(notes ...string) string {
	var kept []string
	for _, n := range notes {
		if n != "" {
			kept = append(kept, n)
		}
	}
	return strings.Join(kept, " ")
}

// exportHint says what Data Export's refusals mean.
func exportHint(err error) error {
	switch adaclient.StatusCode(err) {
	case http.StatusForbidden:
		return withHint(err, "Data Export is not included in every Ada subscription: ask Ada to enable it for this AI Agent.")
	case http.StatusBadRequest:
		return withHint(err, "Check start and end (ISO 8601, within the past 12 months), or start over without cursor.")
	}
	return err
}
