package adaclient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ExportService is Ada's Data Export API v2: conversations and messages in a
// time window, sorted by the time the window is on, a page at a time with
// meta.next_page_uri (not next_page_url). The legacy v1.4 API is not wrapped.
//
// GET /v2/export/conversations
// GET /v2/export/messages
type ExportService struct{ c *Client }

// Ada's documented Data Export limits (ada-api.md section 7).
const (
	// MaxExportWindow: a window's end is at most 60 days after its start.
	MaxExportWindow = 60 * 24 * time.Hour
	// MinExportPageSize and MaxExportPageSize bound page_size (Ada's
	// default is the maximum).
	MinExportPageSize = 100
	MaxExportPageSize = 10000
)

// ExportRetentionStart is the oldest time Data Export serves at now: Ada
// keeps only the past 12 months.
func ExportRetentionStart(now time.Time) time.Time { return now.UTC().AddDate(-1, 0, 0) }

// ExportBy says which time a conversations window is on: date_created
// (created_since/created_to) or date_updated (updated_since/updated_to).
// Records come sorted by that time.
type ExportBy string

const (
	ExportByCreated ExportBy = "created"
	ExportByUpdated ExportBy = "updated"
)

// ExportQuery is one page request. Either a window (Since, To and the
// filters) or Next, the meta.next_page_uri of the previous page.
type ExportQuery struct {
	// By is the time the window is on; "" is created. Messages are only
	// exported by creation time.
	By ExportBy
	// Since is the inclusive lower bound, To the exclusive upper bound; a
	// zero To leaves Ada's default (Since + 7 days). Both are sent in UTC
	// ending in Z, as Ada requires.
	Since, To time.Time
	// ConversationID restricts messages to one conversation.
	ConversationID string
	// PageSize is 100-10000; 0 leaves Ada's default (10000). With Next, a
	// non-zero PageSize replaces the one Ada's URI carries.
	PageSize int
	// Next is Ada's meta.next_page_uri (or only its query string). Only its
	// query is used: it is sent to this client's base URL whatever host it
	// names, so the API key never goes anywhere else. The window fields
	// are then ignored.
	Next string
}

// ExportConversation is a conversation record of Data Export, with the
// fields this project uses; Ada's record has many more (agents, handle
// times, classifications, articles, playbooks...). Dates are Ada's strings
// (UTC, with or without a zone suffix): adatime.Parse (internal/adatime) reads them.
type ExportConversation struct {
	ID                                string  `json:"_id"`
	ChatterID                         *string `json:"chatter_id"`
	EndUserID                         *string `json:"end_user_id"`
	DateCreated                       string  `json:"date_created"`
	DateUpdated                       string  `json:"date_updated"`
	Language                          *string `json:"language"`
	Platform                          *string `json:"platform"`
	IsEscalated                       *bool   `json:"is_escalated"`
	IsEngaged                         *bool   `json:"is_engaged"`
	IsTestUser                        *bool   `json:"is_test_user"`
	InquirySummary                    *string `json:"inquiry_summary"`
	GeneratedTopicLabel               *string `json:"generated_topic_label"`
	AutomatedResolutionClassification *string `json:"automated_resolution_classification"`
	// CSAT and Metavariables are objects in Ada's document; kept as any
	// JSON so that another shape does not fail the whole page.
	CSAT          any `json:"csat"`
	Metavariables any `json:"metavariables"`
}

// ExportMessage is a message record of Data Export, with the fields this
// project uses.
type ExportMessage struct {
	ID             string  `json:"_id"`
	ConversationID string  `json:"conversation_id"`
	ChatterID      *string `json:"chatter_id"`
	DateCreated    string  `json:"date_created"`
	Sender         *string `json:"sender"`
	Recipient      *string `json:"recipient"`
	// MessageData is an object in Ada's document (its fields are not
	// documented); kept as any JSON.
	MessageData any `json:"message_data"`
}

const (
	exportConversationsPath = "/v2/export/conversations"
	exportMessagesPath      = "/v2/export/messages"
)

// Conversations returns one page of exported conversations;
// Response.NextPageURL is Ada's meta.next_page_uri ("" on the last page).
// GET /v2/export/conversations
func (s *ExportService) Conversations(ctx context.Context, q *ExportQuery) ([]ExportConversation, *Response, error) {
	v, err := q.values(false)
	if err != nil {
		return nil, nil, err
	}
	return exportList[ExportConversation](s.c, ctx, exportConversationsPath, v)
}

// Messages returns one page of exported messages; Response.NextPageURL is
// Ada's meta.next_page_uri.
// GET /v2/export/messages
func (s *ExportService) Messages(ctx context.Context, q *ExportQuery) ([]ExportMessage, *Response, error) {
	v, err := q.values(true)
	if err != nil {
		return nil, nil, err
	}
	return exportList[ExportMessage](s.c, ctx, exportMessagesPath, v)
}

// exportPage is Data Export's envelope: {"data": [...], "meta": {"next_page_uri": ...}}.
type exportPage[T any] struct {
	Data []T `json:"data"`
	Meta struct {
		NextPageURI *string `json:"next_page_uri"`
	} `json:"meta"`
}

func exportList[T any](c *Client, ctx context.Context, path string, q url.Values) ([]T, *Response, error) {
	var p exportPage[T]
	r, err := c.do(ctx, call{method: http.MethodGet, path: path, query: q, mode: idempotent}, &p)
	if err != nil {
		return nil, r, err
	}
	if p.Meta.NextPageURI != nil {
		r.NextPageURL = *p.Meta.NextPageURI
	}
	if p.Data == nil {
		p.Data = []T{}
	}
	return p.Data, r, nil
}

// values validates the query against Ada's documented rules and builds it.
func (q *ExportQuery) values(messages bool) (url.Values, error) {
	if q == nil {
		return nil, invalid("since", "is required")
	}
	if q.PageSize != 0 && (q.PageSize < MinExportPageSize || q.PageSize > MaxExportPageSize) {
		return nil, invalid("page_size", "must be between %d and %d", MinExportPageSize, MaxExportPageSize)
	}
	if q.Next != "" {
		return q.nextValues(messages)
	}
	by := q.By
	switch {
	case by == "":
		by = ExportByCreated
	case by != ExportByCreated && by != ExportByUpdated:
		return nil, invalid("by", "must be created or updated")
	case messages && by != ExportByCreated:
		return nil, invalid("by", "messages are exported by creation time only")
	}
	if !messages && q.ConversationID != "" {
		return nil, invalid("conversation_id", "filters messages, not conversations")
	}
	if q.Since.IsZero() {
		return nil, invalid("since", "is required")
	}
	if !q.To.IsZero() {
		if !q.To.After(q.Since) {
			return nil, invalid("to", "must be after since")
		}
		if q.To.Sub(q.Since) > MaxExportWindow {
			return nil, invalid("to", "is more than 60 days after since; Ada exports at most 60 days per request")
		}
	}
	v := url.Values{}
	v.Set(string(by)+"_since", FormatExportTime(q.Since))
	if !q.To.IsZero() {
		v.Set(string(by)+"_to", FormatExportTime(q.To))
	}
	if q.ConversationID != "" {
		v.Set("conversation_id", q.ConversationID)
	}
	if q.PageSize != 0 {
		v.Set("page_size", strconv.Itoa(q.PageSize))
	}
	return v, nil
}

// nextValues takes the query of Ada's next_page_uri. It must carry a lower
// bound, or following it would silently restart an export.
func (q *ExportQuery) nextValues(messages bool) (url.Values, error) {
	raw := q.Next
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		raw = raw[i+1:]
	} else if strings.Contains(raw, "://") {
		raw = ""
	}
	v, err := url.ParseQuery(raw)
	if err != nil || (v.Get("created_since") == "" && (messages || v.Get("updated_since") == "")) {
		return nil, invalid("next", "is not a Data Export next_page_uri (no lower bound in its query)")
	}
	if q.PageSize != 0 {
		v.Set("page_size", strconv.Itoa(q.PageSize))
	}
	return v, nil
}

// FormatExportTime is t as Data Export wants it: UTC, ending in Z, with a
// fraction only when t has one (2024-07-01T00:00:00Z).
func FormatExportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999999999Z") }
