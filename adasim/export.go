package adasim

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Data Export API v2 (ada-api.md section 7; Ada's Data Export OpenAPI document): the stored
// conversations and their visible messages, rendered as export records, selected by a time
// window and paginated with meta.next_page_uri.

const (
	exportMaxWindow     = 60 * 24 * time.Hour // the window's end at most 60 days after its start
	exportDefaultWindow = 7 * 24 * time.Hour  // created_to/updated_to default: since + 7 days
	exportMinPageSize   = 100
	exportMaxPageSize   = 10000 // also the default
	exportSummaryRunes  = 280   // inquiry_summary: the first end-user text, cut here
)

// exportTimeLayout is how export records and next_page_uri write times: UTC, microseconds, Z.
const exportTimeLayout = "2006-01-02T15:04:05.000000Z"

func formatExportTime(t time.Time) string { return t.UTC().Format(exportTimeLayout) }

// exportQuery is a validated export request.
type exportQuery struct {
	field          string // "created" or "updated": the time the window is on
	since, to      time.Time
	pageSize       int
	conversationID string // messages only; "" for all
}

// parseExportTime reads a bound: an ISO 8601 UTC timestamp ending in Z, as Ada requires.
func parseExportTime(q url.Values, key string) (time.Time, *apiError) {
	v := q.Get(key)
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || !strings.HasSuffix(v, "Z") {
		return time.Time{}, invalidField(key, "%s must be an ISO 8601 UTC timestamp ending with 'Z' (e.g. 2024-07-01T00:00:00Z).", key)
	}
	return t, nil
}

// parseExportQuery reads the window (since inclusive, to exclusive), page_size and, for
// messages, conversation_id. Conversations take created_since or updated_since (mutually
// exclusive), messages created_since; each upper bound goes with its own lower bound.
func parseExportQuery(q url.Values, messages bool, now time.Time) (exportQuery, *apiError) {
	var eq exportQuery
	switch created, updated := q.Get("created_since") != "", q.Get("updated_since") != "" && !messages; {
	case created && updated:
		return eq, badRequest("created_since and updated_since are mutually exclusive: use one.")
	case updated:
		eq.field = "updated"
	case created:
		eq.field = "created"
	case messages:
		return eq, invalidField("created_since", "created_since is required.")
	default:
		return eq, badRequest("created_since or updated_since is required.")
	}
	other := "updated"
	if eq.field == "updated" {
		other = "created"
	}
	if !messages && q.Get(other+"_to") != "" {
		return eq, badRequest("%s_to goes with %s_since, not %s_since.", other, other, eq.field)
	}
	sinceKey, toKey := eq.field+"_since", eq.field+"_to"
	var err *apiError
	if eq.since, err = parseExportTime(q, sinceKey); err != nil {
		return eq, err
	}
	eq.to = eq.since.Add(exportDefaultWindow)
	if q.Get(toKey) != "" {
		if eq.to, err = parseExportTime(q, toKey); err != nil {
			return eq, err
		}
	}
	switch oldest := now.UTC().AddDate(-1, 0, 0); {
	case !eq.to.After(eq.since):
		return eq, invalidField(toKey, "%s must be after %s.", toKey, sinceKey)
	case eq.to.Sub(eq.since) > exportMaxWindow:
		return eq, invalidField(toKey, "%s must be at most 60 days after %s.", toKey, sinceKey)
	case eq.since.Before(oldest):
		return eq, invalidField(sinceKey, "Only the past 12 months can be exported: %s must be on or after %s.", sinceKey, formatExportTime(oldest))
	}
	eq.pageSize = exportMaxPageSize
	if q.Has("page_size") {
		n, convErr := strconv.Atoi(q.Get("page_size"))
		if convErr != nil || n < exportMinPageSize || n > exportMaxPageSize {
			return eq, invalidField("page_size", "page_size must be an integer from %d to %d.", exportMinPageSize, exportMaxPageSize)
		}
		eq.pageSize = n
	}
	if messages {
		eq.conversationID = q.Get("conversation_id")
	}
	return eq, nil
}

// exportItem is one record with the time it is sorted and selected by.
type exportItem[T any] struct {
	at     time.Time
	record T
}

// exportPage sorts the items in the window by time (stably: ties keep creation order) and
// returns the first page and the lower bound of the next one (zero on the last page).
//
// The lower bound is inclusive, so a page never ends inside a group of records of the same
// time: it ends before the group, which the next page starts with (an assumption: Ada says
// only that next_page_uri carries an advanced lower bound). A group larger than a page is
// returned whole.
func exportPage[T any](items []exportItem[T], q exportQuery) ([]T, time.Time) {
	items = slices.DeleteFunc(items, func(it exportItem[T]) bool { return it.at.Before(q.since) || !it.at.Before(q.to) })
	slices.SortStableFunc(items, func(a, b exportItem[T]) int { return a.at.Compare(b.at) })
	end := min(q.pageSize, len(items))
	if end < len(items) {
		next := items[end].at
		for end > 0 && items[end-1].at.Equal(next) {
			end--
		}
		if end == 0 { // one time for more than a page: the whole group
			for end < len(items) && items[end].at.Equal(next) {
				end++
			}
		}
	}
	page := make([]T, 0, end)
	for _, it := range items[:end] {
		page = append(page, it.record)
	}
	if end < len(items) {
		return page, items[end].at
	}
	return page, time.Time{}
}

// exportMeta is the meta of an export response.
type exportMeta struct {
	NextPageURI *string `json:"next_page_uri"`
}

type exportResponse[T any] struct {
	Data []T        `json:"data"`
	Meta exportMeta `json:"meta"`
}

// nextPageURI is the absolute URI of the next page: this request with the lower bound
// advanced to next and the upper bound written out (so the default of 7 days does not move
// with it). Nil on the last page.
func nextPageURI(r *http.Request, q exportQuery, next time.Time) *string {
	if next.IsZero() {
		return nil
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	v := r.URL.Query()
	v.Set(q.field+"_since", formatExportTime(next))
	v.Set(q.field+"_to", formatExportTime(q.to))
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: v.Encode()}
	s := u.String()
	return &s
}

// exportConversationJSON is Data Export's Conversation. Fields the simulator has nothing for
// (handle times, device, browser, topic ids...) are left out: none is required.
type exportConversationJSON struct {
	ID                  string         `json:"_id"`
	AgentID             []string       `json:"agent_id"`
	AgentName           []string       `json:"agent_name"`
	ChatterID           string         `json:"chatter_id"`
	Classifications     []any          `json:"classifications"`
	CSAT                map[string]any `json:"csat"`
	DateCreated         string         `json:"date_created"`
	DateUpdated         string         `json:"date_updated"`
	EndUserID           *string        `json:"end_user_id"`
	GeneratedTopicLabel *string        `json:"generated_topic_label"`
	InquirySummary      string         `json:"inquiry_summary"`
	IsEngaged           bool           `json:"is_engaged"`
	IsEscalated         bool           `json:"is_escalated"`
	IsTestUser          bool           `json:"is_test_user"`
	Language            string         `json:"language"`
	Metavariables       map[string]any `json:"metavariables"`
	Platform            string         `json:"platform"`
	RecordLastUpdated   string         `json:"record_last_updated"`
	UsedCoaching        []any          `json:"used_coaching"`
	UsedArticles        []any          `json:"used_articles"`
	UsedPlaybooks       []any          `json:"used_playbooks"`
	Variables           map[string]any `json:"variables"`
}

// exportMessageJSON is Data Export's Message.
type exportMessageJSON struct {
	ID                string         `json:"_id"`
	AnswerID          *string        `json:"answer_id"`
	AnswerTitle       *string        `json:"answer_title"`
	ChatterID         *string        `json:"chatter_id"`
	ConversationID    string         `json:"conversation_id"`
	DateCreated       string         `json:"date_created"`
	LinkWasClicked    *bool          `json:"link_was_clicked"`
	MessageData       messageContent `json:"message_data"`
	Recipient         string         `json:"recipient"`
	RecordLastUpdated string         `json:"record_last_updated"`
	Sender            string         `json:"sender"`
}

// exportPlatform is the platform of a conversation on a custom channel (an assumption: Ada
// does not list the values).
const exportPlatform = "custom"

// exportUpdated is when a conversation's export record last changed: its own updated_at or
// its latest visible message, whichever is later.
func (cv *conversation) exportUpdated() time.Time {
	at := cv.updatedAt
	for _, m := range cv.messages {
		if m.visible && m.createdAt.After(at) {
			at = m.createdAt
		}
	}
	return at
}

// exportConversation renders a conversation as Data Export does, from what the simulator knows: the
// end user (chatter_id is the end user's id; language and metavariables are their profile's),
// whether they wrote (is_engaged), whether a human agent took over (is_escalated, agent_name),
// and their first text as inquiry_summary. Callers hold mu.
func (s *Sim) exportConversation(cv *conversation) exportConversationJSON {
	endUserID := cv.endUserID
	out := exportConversationJSON{ID: cv.id, AgentID: []string{}, AgentName: []string{}, ChatterID: cv.endUserID,
		Classifications: []any{}, CSAT: map[string]any{}, DateCreated: formatExportTime(cv.createdAt),
		DateUpdated: formatExportTime(cv.exportUpdated()), EndUserID: &endUserID, Language: "en",
		Metavariables: map[string]any{}, Platform: exportPlatform, UsedCoaching: []any{}, UsedArticles: []any{},
		UsedPlaybooks: []any{}, Variables: map[string]any{}}
	out.RecordLastUpdated = out.DateUpdated
	if u := s.endUsers.byID[cv.endUserID]; u != nil {
		if u.profile.language != nil {
			out.Language = *u.profile.language
		}
		for k, v := range u.profile.metadata {
			out.Metavariables[k] = v
		}
	}
	for _, m := range cv.messages {
		if !m.visible {
			continue
		}
		switch {
		case m.role == roleEndUser:
			out.IsEngaged = true
			if out.InquirySummary == "" && m.content.Type == contentText {
				out.InquirySummary = cutRunes(m.content.Body, exportSummaryRunes)
			}
		case m.role == roleHumanAgent:
			out.IsEscalated = true
			if m.displayName != nil && !slices.Contains(out.AgentName, *m.displayName) {
				out.AgentName = append(out.AgentName, *m.displayName)
			}
		case m.toHandoff:
			out.IsEscalated = true
		}
	}
	if cv.handoff {
		out.IsEscalated = true
	}
	return out
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// exportMessage renders a visible message: sender and recipient are the roles of the
// Conversations API (end_user, ai_agent, human_agent; an assumption: Ada does not list the
// values); an end user's message goes to the human agent during a handoff, else to the AI
// Agent. chatter_id is the end user's id on the end user's messages.
func exportMessage(m *message) exportMessageJSON {
	at := formatExportTime(m.createdAt)
	out := exportMessageJSON{ID: m.id, ConversationID: m.conversation.id, DateCreated: at, MessageData: m.content,
		Sender: m.role, Recipient: roleEndUser, RecordLastUpdated: at}
	if m.role == roleEndUser {
		out.ChatterID = copyString(m.authorID)
		out.Recipient = roleAIAgent
		if m.toHandoff {
			out.Recipient = roleHumanAgent
		}
	}
	return out
}

// getExportConversations is GET /v2/export/conversations: conversations whose date_created
// (created_since/created_to) or date_updated (updated_since/updated_to) is in the window, in
// that order.
func (s *Sim) getExportConversations(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := parseExportQuery(c.r.URL.Query(), false, s.clock.Now())
	if err != nil {
		return 0, nil, err
	}
	items := make([]exportItem[*conversation], 0, len(s.conversationOrder))
	for _, cv := range s.conversationOrder {
		at := cv.createdAt
		if q.field == "updated" {
			at = cv.exportUpdated()
		}
		items = append(items, exportItem[*conversation]{at: at, record: cv})
	}
	page, next := exportPage(items, q)
	body := exportResponse[exportConversationJSON]{Data: make([]exportConversationJSON, 0, len(page)),
		Meta: exportMeta{NextPageURI: nextPageURI(c.r, q, next)}}
	for _, cv := range page {
		body.Data = append(body.Data, s.exportConversation(cv))
	}
	return http.StatusOK, body, nil
}

// getExportMessages is GET /v2/export/messages: the visible messages of every conversation
// (or of conversation_id; an unknown one has none) created in the window, oldest first; ties
// keep conversation creation order, then the conversation's own order.
func (s *Sim) getExportMessages(c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := parseExportQuery(c.r.URL.Query(), true, s.clock.Now())
	if err != nil {
		return 0, nil, err
	}
	var items []exportItem[*message]
	for _, cv := range s.conversationOrder {
		if q.conversationID != "" && cv.id != q.conversationID {
			continue
		}
		for _, m := range cv.messages {
			if m.visible {
				items = append(items, exportItem[*message]{at: m.createdAt, record: m})
			}
		}
	}
	page, next := exportPage(items, q)
	body := exportResponse[exportMessageJSON]{Data: make([]exportMessageJSON, 0, len(page)),
		Meta: exportMeta{NextPageURI: nextPageURI(c.r, q, next)}}
	for _, m := range page {
		body.Data = append(body.Data, exportMessage(m))
	}
	return http.StatusOK, body, nil
}
