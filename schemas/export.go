package schemas

import (
	"fmt"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/adatime"
	"github.com/ada-mcp/ada-mcp/internal/paging"
)

// The bounds of each export record's values, so that no record is unbounded. The bounds of a
// call, its windows and its cursor are package paging's.
const (
	maxExportTextRunes    = 4000 // a message's text
	maxExportSummaryRunes = 2000 // a conversation's inquiry_summary
	maxExportValueRunes   = 500  // each csat or metavariables value
	maxExportMapBytes     = 4 << 10
)

// ExportConversationsArgs are export_conversations' arguments.
type ExportConversationsArgs struct {
	Start    string `json:"start,omitempty" jsonschema_description:"ISO 8601 date or date-time (UTC unless it has an offset). Required without cursor."`
	End      string `json:"end,omitempty" jsonschema_description:"Exclusive; default now."`
	By       string `json:"by,omitempty" jsonschema:"enum=created,enum=updated,default=created" jsonschema_description:"Which time start and end apply to."`
	PageSize int    `json:"page_size,omitempty" jsonschema:"minimum=1,maximum=100,default=50"`
	Cursor   string `json:"cursor,omitempty" jsonschema_description:"next_cursor of the previous call: continues that export."`

	parsed paging.ExportRequest
}

// ExportMessagesArgs are export_messages' arguments.
type ExportMessagesArgs struct {
	Start          string `json:"start,omitempty" jsonschema_description:"ISO 8601 date or date-time (UTC unless it has an offset). Required without cursor."`
	End            string `json:"end,omitempty" jsonschema_description:"Exclusive; default now."`
	ConversationID string `json:"conversation_id,omitempty" jsonschema_description:"Only this conversation's messages."`
	PageSize       int    `json:"page_size,omitempty" jsonschema:"minimum=1,maximum=100,default=50"`
	Cursor         string `json:"cursor,omitempty" jsonschema_description:"next_cursor of the previous call: continues that export."`

	parsed paging.ExportRequest
}

// Validate parses start and end (end after start), by and page_size, and a cursor: it must be
// one this tool returned, undamaged, and start, end and by, if given with it, must be the
// export's own (paging.ExportRequest.Continue). Nothing is sent before.
func (a *ExportConversationsArgs) Validate() error {
	a.parsed = paging.ExportRequest{By: adaclient.ExportBy(a.By), PageSize: a.PageSize}
	if a.By != "" && a.By != string(adaclient.ExportByCreated) && a.By != string(adaclient.ExportByUpdated) {
		return argErr("by", "must be created or updated")
	}
	return parseExport(&a.parsed, a.Start, a.End, a.Cursor)
}

// Validate is ExportConversationsArgs.Validate for messages, with conversation_id.
func (a *ExportMessagesArgs) Validate() error {
	a.parsed = paging.ExportRequest{Messages: true, By: adaclient.ExportByCreated, ConversationID: strings.TrimSpace(a.ConversationID), PageSize: a.PageSize}
	if a.ConversationID != "" && (a.parsed.ConversationID == "" || strings.ContainsAny(a.ConversationID, " \t\r\n/?#&")) {
		return argErr("conversation_id", "is not a conversation id")
	}
	return parseExport(&a.parsed, a.Start, a.End, a.Cursor)
}

// Plan resolves the arguments at now into the export to run (see paging.ExportPlan).
func (a *ExportConversationsArgs) Plan(now time.Time) (*paging.ExportPlan, error) {
	return planExport(&a.parsed, now)
}

// Plan resolves the arguments at now into the export to run (see paging.ExportPlan).
func (a *ExportMessagesArgs) Plan(now time.Time) (*paging.ExportPlan, error) {
	return planExport(&a.parsed, now)
}

// planExport is r's plan, its refusals (the 12-month rule) as argument errors.
func planExport(r *paging.ExportRequest, now time.Time) (*paging.ExportPlan, error) {
	p, err := r.Plan(now)
	return p, argumentFrom(err)
}

// parseExport reads start, end and the cursor into r, whose page_size it checks.
func parseExport(r *paging.ExportRequest, start, end, cursor string) error {
	if r.PageSize < 0 || r.PageSize > paging.MaxExportPageSize {
		return argErr("page_size", "must be between 1 and %d", paging.MaxExportPageSize)
	}
	var err error
	if start != "" {
		if r.Start, err = ParseExportArgTime(start); err != nil {
			return argErr("start", "%v", err)
		}
	}
	if end != "" {
		if r.End, err = ParseExportArgTime(end); err != nil {
			return argErr("end", "%v", err)
		}
	}
	if !r.Start.IsZero() && !r.End.IsZero() && !r.End.After(r.Start) {
		return argErr("end", "must be after start")
	}
	if cursor == "" {
		if r.Start.IsZero() {
			return argErr("start", "is required (or cursor, to continue an export)")
		}
		return nil
	}
	return argumentFrom(r.Continue(cursor))
}

// ParseExportArgTime reads an ISO 8601 date (midnight UTC) or date-time; a date-time without
// an offset is UTC, as Ada's dates are.
func ParseExportArgTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := adatime.Parse(s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02T15:04Z07:00", s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02T15:04", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("must be an ISO 8601 date or date-time such as 2026-03-01 or 2026-03-01T09:30:00Z")
}

// ExportWindow is the window an export covers.
type ExportWindow struct {
	Start string `json:"start" jsonschema:"required"`
	End   string `json:"end" jsonschema:"required"`
}

// ExportWindowOf is the effective window of p, for the result.
func ExportWindowOf(p *paging.ExportPlan) ExportWindow {
	return ExportWindow{Start: paging.FormatExportTime(p.Start), End: paging.FormatExportTime(p.End)}
}

// ExportConversation is a conversation record of Data Export, with the fields an assistant
// uses. Dates are RFC 3339 UTC.
type ExportConversation struct {
	ConversationID                    string   `json:"conversation_id" jsonschema:"required"`
	DateCreated                       string   `json:"date_created,omitempty"`
	DateUpdated                       string   `json:"date_updated,omitempty"`
	EndUserID                         string   `json:"end_user_id,omitempty"`
	ChatterID                         string   `json:"chatter_id,omitempty"`
	Language                          string   `json:"language,omitempty"`
	Platform                          string   `json:"platform,omitempty"`
	IsEngaged                         *bool    `json:"is_engaged,omitempty"`
	IsEscalated                       *bool    `json:"is_escalated,omitempty"`
	IsTestUser                        bool     `json:"is_test_user,omitempty"`
	AutomatedResolutionClassification string   `json:"automated_resolution_classification,omitempty"`
	CSAT                              Metadata `json:"csat,omitempty"`
	InquirySummary                    string   `json:"inquiry_summary,omitempty"`
	GeneratedTopicLabel               string   `json:"generated_topic_label,omitempty"`
	Metavariables                     Metadata `json:"metavariables,omitempty"`
	Truncated                         bool     `json:"truncated,omitempty" jsonschema_description:"Some long values were cut."`
}

// ExportConversationFrom converts an export record, every value bounded.
func ExportConversationFrom(c *adaclient.ExportConversation) ExportConversation {
	out := ExportConversation{ConversationID: c.ID, DateCreated: exportDate(c.DateCreated), DateUpdated: exportDate(c.DateUpdated),
		EndUserID: str(c.EndUserID), ChatterID: str(c.ChatterID), Language: str(c.Language), Platform: str(c.Platform),
		IsEngaged: c.IsEngaged, IsEscalated: c.IsEscalated, IsTestUser: c.IsTestUser != nil && *c.IsTestUser,
		AutomatedResolutionClassification: str(c.AutomatedResolutionClassification), GeneratedTopicLabel: str(c.GeneratedTopicLabel)}
	var cut [4]bool
	out.InquirySummary, cut[0] = cutText(str(c.InquirySummary), maxExportSummaryRunes)
	out.CSAT, cut[1] = boundedMap(c.CSAT)
	out.Metavariables, cut[2] = boundedMap(c.Metavariables)
	out.GeneratedTopicLabel, cut[3] = cutText(out.GeneratedTopicLabel, maxExportValueRunes)
	out.Truncated = cut[0] || cut[1] || cut[2] || cut[3]
	return out
}

// ExportMessage is a message record of Data Export, flattened: text is the message's text
// (or a link's text, or a file's name), url a link's or file's; data holds message_data's
// other values when it has no text.
type ExportMessage struct {
	MessageID      string   `json:"message_id" jsonschema:"required"`
	ConversationID string   `json:"conversation_id,omitempty"`
	DateCreated    string   `json:"date_created,omitempty"`
	Sender         string   `json:"sender,omitempty"`
	Recipient      string   `json:"recipient,omitempty"`
	Type           string   `json:"type,omitempty"`
	Text           string   `json:"text,omitempty"`
	URL            string   `json:"url,omitempty"`
	Data           Metadata `json:"data,omitempty"`
	Truncated      bool     `json:"truncated,omitempty" jsonschema_description:"Some long values were cut."`
}

// ExportMessageFrom converts an export record, every value bounded.
func ExportMessageFrom(m *adaclient.ExportMessage) ExportMessage {
	out := ExportMessage{MessageID: m.ID, ConversationID: m.ConversationID, DateCreated: exportDate(m.DateCreated),
		Sender: str(m.Sender), Recipient: str(m.Recipient)}
	data, _ := m.MessageData.(map[string]any)
	text := func(keys ...string) string {
		for _, k := range keys {
			if s, ok := data[k].(string); ok && s != "" {
				return s
			}
		}
		return ""
	}
	var cut [3]bool
	out.Type, cut[0] = cutText(text("type", "_type"), maxExportValueRunes)
	out.Text, cut[1] = cutText(text("body", "text", "message", "link_text", "filename"), maxExportTextRunes)
	if u := text("url"); len(u) <= 2048 {
		out.URL = u
	}
	if out.Text == "" && out.URL == "" {
		rest := make(map[string]any, len(data))
		for k, v := range data {
			if k != "type" && k != "_type" {
				rest[k] = v
			}
		}
		out.Data, cut[2] = boundedMap(rest)
	}
	out.Truncated = cut[0] || cut[1] || cut[2]
	return out
}

// exportDate writes an export date in RFC 3339 UTC (Ada's come without a zone); one that
// does not parse is kept as it is, cut.
func exportDate(s string) string {
	if s == "" {
		return ""
	}
	if t, err := adatime.Parse(s); err == nil {
		return paging.FormatExportTime(t)
	}
	out, _ := cutText(s, 64)
	return out
}

// boundedMap is boundMap at the bounds of an export record.
func boundedMap(v any) (Metadata, bool) {
	return boundMap(v, maxExportValueRunes, maxExportMapBytes)
}

// ExportConversationsResult is export_conversations' result.
type ExportConversationsResult struct {
	Conversations []ExportConversation `json:"conversations" jsonschema:"required"`
	Window        ExportWindow         `json:"window" jsonschema:"required"`
	Note          string               `json:"note,omitempty"`
	Page
}

// ExportMessagesResult is export_messages' result.
type ExportMessagesResult struct {
	Messages []ExportMessage `json:"messages" jsonschema:"required"`
	Window   ExportWindow    `json:"window" jsonschema:"required"`
	Note     string          `json:"note,omitempty"`
	Page
}
