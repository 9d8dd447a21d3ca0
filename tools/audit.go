package tools

import (
	"context"
	"fmt"
	"net/http"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/paging"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetAudit = "audit"

func auditTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "list_audit_log_events", title: "List audit log events", toolset: toolsetAudit, hints: reads,
			description: "List configuration changes recorded in Ada's audit log (who changed what, when, from where), newest first, for a window of at most 30 days. Returns events, next_cursor and has_more.",
		}, d, listAuditLogEvents),
	}
}

func listAuditLogEvents(ctx context.Context, env *Env, a *schemas.ListAuditLogEventsArgs) (*schemas.ListAuditLogEventsResult, error) {
	var (
		events []adaclient.AuditLogEvent
		r      *adaclient.Response
		err    error
	)
	if page := a.PageQuery(); page != "" {
		events, r, err = env.Client.AuditLog.ListPage(ctx, page)
	} else {
		events, r, err = env.Client.AuditLog.List(ctx, a.Options())
	}
	switch {
	case adaclient.IsNotFound(err):
		return nil, auditLogNotEnabled{}
	case adaclient.StatusCode(err) == http.StatusBadRequest && a.Cursor != "":
		return nil, withHint(err, "The cursor no longer fits its window: list again without cursor, with the same start_date and end_date.")
	case adaclient.StatusCode(err) == http.StatusBadRequest:
		return nil, withHint(err, "start_date and end_date must be ISO 8601 date-times at most 30 days apart.")
	case err != nil:
		return nil, err
	}
	next, err := paging.AuditLogCursor(r.NextPageURL)
	if err != nil {
		return nil, fmt.Errorf("Ada's next_page_url cannot be replayed (%w), so the listing cannot continue past this page", err)
	}
	return &schemas.ListAuditLogEventsResult{Events: schemas.AuditLogEventsFrom(events),
		Page: schemas.Page{NextCursor: next, HasMore: next != ""}}, nil
}

// auditLogNotEnabled is Ada's 404 on the Audit log: the account does not
// have the feature, whatever the arguments.
type auditLogNotEnabled struct{}

func (auditLogNotEnabled) plain() {}

func (auditLogNotEnabled) Error() string {
	return "The Audit log is not enabled for this Ada account (Ada answered 404). Ask Ada to enable the Audit log API for it; retrying will not help"
}
