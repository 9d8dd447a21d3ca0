package schemas

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
)

// Data Export (export_conversations, export_messages): a window of any length is split into
// consecutive windows Ada accepts (at most 60 days each), walked page by page with Ada's
// next_page_uri; a call returns at most page_size records and about MaxExportResultBytes,
// and its next_cursor continues exactly after the last record returned, even inside one of
// Ada's pages.

// Bounds of one export call.
const (
	DefaultExportPageSize = 50
	MaxExportPageSize     = 100
	// MaxExportResultBytes bounds the JSON of a call's records.
	MaxExportResultBytes = 200 << 10
	// ExportAdaPageSize is the page_size asked of Ada: its minimum, since a call returns at
	// most MaxExportPageSize records and a bigger page would only be fetched again.
	ExportAdaPageSize = adaclient.MinExportPageSize
	// exportRetentionMargin keeps a clipped start inside Ada's 12 months while the request
	// travels.
	exportRetentionMargin = time.Minute
	// Bounds of each record's values, so that no record is unbounded.
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

	parsed exportArgs
}

// ExportMessagesArgs are export_messages' arguments.
type ExportMessagesArgs struct {
	Start          string `json:"start,omitempty" jsonschema_description:"ISO 8601 date or date-time (UTC unless it has an offset). Required without cursor."`
	End            string `json:"end,omitempty" jsonschema_description:"Exclusive; default now."`
	ConversationID string `json:"conversation_id,omitempty" jsonschema_description:"Only this conversation's messages."`
	PageSize       int    `json:"page_size,omitempty" jsonschema:"minimum=1,maximum=100,default=50"`
	Cursor         string `json:"cursor,omitempty" jsonschema_description:"next_cursor of the previous call: continues that export."`

	parsed exportArgs
}

// exportArgs are either tool's arguments, parsed by Validate.
type exportArgs struct {
	messages       bool
	by             adaclient.ExportBy
	start, end     time.Time // zero when not given
	conversationID string
	pageSize       int
	cursor         *exportCursor
}

// Validate parses start and end (end after start), by and page_size, and a cursor: it must be
// one this tool returned, undamaged, and start, end and by, if given with it, must be the
// export's own. Nothing is sent before.
func (a *ExportConversationsArgs) Validate() error {
	a.parsed = exportArgs{by: adaclient.ExportBy(a.By), pageSize: a.PageSize}
	if a.By != "" && a.By != string(adaclient.ExportByCreated) && a.By != string(adaclient.ExportByUpdated) {
		return argErr("by", "must be created or updated")
	}
	return a.parsed.parse(a.Start, a.End, a.Cursor, "")
}

// Validate is ExportConversationsArgs.Validate for messages, with conversation_id.
func (a *ExportMessagesArgs) Validate() error {
	a.parsed = exportArgs{messages: true, by: adaclient.ExportByCreated, conversationID: strings.TrimSpace(a.ConversationID), pageSize: a.PageSize}
	if a.ConversationID != "" && (a.parsed.conversationID == "" || strings.ContainsAny(a.ConversationID, " \t\r\n/?#&")) {
		return argErr("conversation_id", "is not a conversation id")
	}
	return a.parsed.parse(a.Start, a.End, a.Cursor, a.ConversationID)
}

// Plan resolves the arguments at now into the export to run (see ExportPlan).
func (a *ExportConversationsArgs) Plan(now time.Time) (*ExportPlan, error) { return a.parsed.plan(now) }

// Plan resolves the arguments at now into the export to run (see ExportPlan).
func (a *ExportMessagesArgs) Plan(now time.Time) (*ExportPlan, error) { return a.parsed.plan(now) }

func (e *exportArgs) tool() string {
	if e.messages {
		return "export_messages"
	}
	return "export_conversations"
}

func (e *exportArgs) parse(start, end, cursor, conversationID string) error {
	if e.pageSize < 0 || e.pageSize > MaxExportPageSize {
		return argErr("page_size", "must be between 1 and %d", MaxExportPageSize)
	}
	var err error
	if start != "" {
		if e.start, err = ParseExportArgTime(start); err != nil {
			return argErr("start", "%v", err)
		}
	}
	if end != "" {
		if e.end, err = ParseExportArgTime(end); err != nil {
			return argErr("end", "%v", err)
		}
	}
	if !e.start.IsZero() && !e.end.IsZero() && !e.end.After(e.start) {
		return argErr("end", "must be after start")
	}
	if cursor == "" {
		if e.start.IsZero() {
			return argErr("start", "is required (or cursor, to continue an export)")
		}
		return nil
	}
	c, err := decodeExportCursor(cursor)
	if err != nil || c.messages() != e.messages {
		return argErr("cursor", "is not a cursor of %s (damaged, or from another tool): pass next_cursor exactly as returned, or start over without cursor", e.tool())
	}
	mismatch := func(field string) error {
		return argErr(field, "differs from the export the cursor continues (%s to %s): leave start, end and by out to continue it, or drop the cursor to start another",
			formatExportArgTime(c.start()), formatExportArgTime(c.end()))
	}
	switch {
	case !e.start.IsZero() && !e.start.Equal(c.start()) && !e.start.Equal(c.requestedStart()):
		return mismatch("start")
	case !e.end.IsZero() && !e.end.Equal(c.end()) && !e.end.Equal(c.requestedEnd()):
		return mismatch("end")
	case !e.messages && e.by != "" && e.by != c.by():
		return mismatch("by")
	case e.messages && conversationID != "" && e.conversationID != c.C:
		return mismatch("conversation_id")
	}
	e.cursor = c
	return nil
}

// ParseExportArgTime reads an ISO 8601 date (midnight UTC) or date-time; a date-time without
// an offset is UTC, as Ada's dates are.
func ParseExportArgTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := adaclient.ParseExportTime(s); err == nil {
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

func formatExportArgTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// plan applies the 12-month rule at now. A start before it is moved up to it (the result's
// note says so: Ada has nothing older, and an error would only make the caller retry with a
// start that is already stale by then); an end after now is now; an end before it is an
// error. A cursor carries its plan.
func (e *exportArgs) plan(now time.Time) (*ExportPlan, error) {
	now = now.UTC()
	pageSize := cmpOr(e.pageSize, DefaultExportPageSize)
	if c := e.cursor; c != nil {
		p := &ExportPlan{Messages: c.messages(), By: c.by(), Start: c.start(), End: c.end(), ConversationID: c.C, PageSize: pageSize,
			requestedStart: c.requestedStart(), requestedEnd: c.requestedEnd(),
			Pos: ExportPosition{Window: time.Unix(0, c.W).UTC(), Page: c.P, Consumed: c.N, Last: c.L, Skip: c.X}}
		return p, nil
	}
	p := &ExportPlan{Messages: e.messages, By: cmpOr(e.by, adaclient.ExportByCreated), Start: e.start.UTC(), End: e.end.UTC(),
		ConversationID: e.conversationID, PageSize: pageSize, requestedStart: e.start.UTC(), requestedEnd: e.end.UTC()}
	// "Now", rounded up to the second, so that what was written this second is in.
	if latest := now.Truncate(time.Second).Add(time.Second); p.End.IsZero() || p.End.After(latest) {
		p.End = latest
	}
	oldest := ExportOldest(now)
	var notes []string
	if !p.End.After(oldest) {
		return nil, argErr("end", "is more than 12 months ago: Ada's Data Export keeps only the past 12 months (since %s)", formatExportArgTime(oldest))
	}
	if p.Start.Before(oldest) {
		notes = append(notes, fmt.Sprintf("start was moved from %s to %s: Ada's Data Export keeps only the past 12 months.", formatExportArgTime(p.Start), formatExportArgTime(oldest)))
		p.Start = oldest
	}
	if !p.End.After(p.Start) {
		return nil, argErr("start", "is not before end (%s)", formatExportArgTime(p.End))
	}
	p.Note = strings.Join(notes, " ")
	p.Pos.Window = p.Start
	return p, nil
}

// ExportOldest is the oldest start export tools use at now: Ada's 12 months, and a minute.
func ExportOldest(now time.Time) time.Time {
	return adaclient.ExportRetentionStart(now).Add(exportRetentionMargin).Truncate(time.Second)
}

func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// ExportPlan is an export to run, and where it stands: the whole window [Start, End), walked
// in windows of at most 60 days from Start, each page by page.
type ExportPlan struct {
	Messages       bool
	By             adaclient.ExportBy
	Start, End     time.Time
	ConversationID string
	PageSize       int // records per call
	// Note explains a change to the window (a start clipped to 12 months).
	Note string
	Pos  ExportPosition

	requestedStart, requestedEnd time.Time // as the caller gave them, when the plan moved them
}

// ExportPosition is where an export continues.
type ExportPosition struct {
	// Window is the start of the current window; it ends WindowEnd.
	Window time.Time
	// Page is the query of Ada's next_page_uri for the current page; "" for the window's first.
	Page string
	// Consumed is how many records of the current page were returned (or skipped); Last is the
	// _id of the last of them, to find the place again if the page shifted.
	Consumed int
	Last     string
	// Skip are records of the previous page that Ada's inclusive lower bound may return again
	// at the start of this one.
	Skip []string
}

// WindowEnd is the end of the current window: 60 days after its start, or End.
func (p *ExportPlan) WindowEnd() time.Time {
	end := p.Pos.Window.Add(adaclient.MaxExportWindow)
	if end.After(p.End) {
		return p.End
	}
	return end
}

// Query is the request for the current page at now; false when the current window is wholly
// older than Ada's 12 months by now (an export continued much later): it has nothing.
func (p *ExportPlan) Query(now time.Time) (adaclient.ExportQuery, bool) {
	q := adaclient.ExportQuery{PageSize: ExportAdaPageSize}
	if p.Pos.Page != "" {
		q.Next = "?" + p.Pos.Page
		return q, true
	}
	since := p.Pos.Window
	if oldest := ExportOldest(now); since.Before(oldest) {
		since = oldest
	}
	if !since.Before(p.WindowEnd()) {
		return q, false
	}
	q.By, q.Since, q.To, q.ConversationID = p.By, since, p.WindowEnd(), p.ConversationID
	return q, true
}

// NextPage moves to Ada's next page (its next_page_uri), remembering the records of the page
// just read that its lower bound may bring again (those at or after it, by their times at).
// It returns false when next is empty or the page itself (then the window is done).
func (p *ExportPlan) NextPage(next string, ids, times []string) bool {
	query := next
	if i := strings.IndexByte(next, '?'); i >= 0 {
		query = next[i+1:]
	}
	if next == "" || query == p.Pos.Page {
		return false
	}
	var since time.Time
	if v, err := url.ParseQuery(query); err == nil {
		since, _ = adaclient.ParseExportTime(v.Get(string(p.By) + "_since"))
		// The filter stays whatever Ada's URI carries; the page size is set per request.
		v.Del("conversation_id")
		if p.ConversationID != "" {
			v.Set("conversation_id", p.ConversationID)
		}
		v.Del("page_size")
		query = v.Encode()
	}
	var skip []string
	for i := len(ids) - 1; i >= 0 && len(skip) < maxExportSkip; i-- {
		at, err := adaclient.ParseExportTime(times[i])
		if since.IsZero() || err != nil || !at.Before(since) {
			skip = append(skip, ids[i])
		}
	}
	p.Pos = ExportPosition{Window: p.Pos.Window, Page: query, Skip: skip}
	return true
}

// maxExportSkip bounds the records remembered across a page boundary.
const maxExportSkip = ExportAdaPageSize

// NextWindow moves to the next window; false when the current one was the last.
func (p *ExportPlan) NextWindow() bool {
	end := p.WindowEnd()
	if !end.Before(p.End) {
		return false
	}
	p.Pos = ExportPosition{Window: end}
	return true
}

// Resume returns the index in a re-fetched page of the first record not yet returned: after
// Consumed records, or after Last wherever it now is, or at the end of a shorter page.
func (p *ExportPlan) Resume(ids []string) int {
	n := p.Pos.Consumed
	switch {
	case n <= 0:
		return 0
	case n <= len(ids) && ids[n-1] == p.Pos.Last:
		return n
	}
	if i := slices.Index(ids, p.Pos.Last); i >= 0 && p.Pos.Last != "" {
		return i + 1
	}
	return min(n, len(ids))
}

// Window is the effective window, for the result.
func (p *ExportPlan) Window() ExportWindow {
	return ExportWindow{Start: formatExportArgTime(p.Start), End: formatExportArgTime(p.End)}
}

// Cursor encodes the plan and its position: opaque, checksummed, for next_cursor.
func (p *ExportPlan) Cursor() string {
	c := exportCursor{V: exportCursorVersion, K: "c", S: p.Start.UnixNano(), E: p.End.UnixNano(), C: p.ConversationID,
		W: p.Pos.Window.UnixNano(), P: p.Pos.Page, N: p.Pos.Consumed, L: p.Pos.Last, X: p.Pos.Skip}
	if p.Messages {
		c.K = "m"
	}
	if p.By == adaclient.ExportByUpdated {
		c.B = "u"
	}
	if !p.requestedStart.IsZero() && !p.requestedStart.Equal(p.Start) {
		c.RS = p.requestedStart.UnixNano()
	}
	if !p.requestedEnd.IsZero() && !p.requestedEnd.Equal(p.End) {
		c.RE = p.requestedEnd.UnixNano()
	}
	b, _ := json.Marshal(c)
	return exportCursorPrefix + base64.RawURLEncoding.EncodeToString(b) + "." + base64.RawURLEncoding.EncodeToString(exportCursorSum(b))
}

const (
	exportCursorVersion = 1
	exportCursorPrefix  = "ex1."
)

// exportCursor is the JSON inside a cursor. Times are Unix nanoseconds.
type exportCursor struct {
	V  int      `json:"v"`
	K  string   `json:"k"`           // c: conversations, m: messages
	B  string   `json:"b,omitempty"` // u: by updated
	S  int64    `json:"s"`
	E  int64    `json:"e"`
	RS int64    `json:"rs,omitempty"` // the start asked for, when clipped
	RE int64    `json:"re,omitempty"` // the end asked for, when clipped
	C  string   `json:"c,omitempty"`  // conversation_id
	W  int64    `json:"w"`
	P  string   `json:"p,omitempty"`
	N  int      `json:"n,omitempty"`
	L  string   `json:"l,omitempty"`
	X  []string `json:"x,omitempty"`
}

func (c *exportCursor) messages() bool   { return c.K == "m" }
func (c *exportCursor) start() time.Time { return time.Unix(0, c.S).UTC() }
func (c *exportCursor) end() time.Time   { return time.Unix(0, c.E).UTC() }

func (c *exportCursor) by() adaclient.ExportBy {
	if c.B == "u" {
		return adaclient.ExportByUpdated
	}
	return adaclient.ExportByCreated
}

func (c *exportCursor) requestedStart() time.Time {
	if c.RS == 0 {
		return c.start()
	}
	return time.Unix(0, c.RS).UTC()
}

func (c *exportCursor) requestedEnd() time.Time {
	if c.RE == 0 {
		return c.end()
	}
	return time.Unix(0, c.RE).UTC()
}

// exportCursorSum tells a cursor this server made from a damaged or hand-made one.
func exportCursorSum(payload []byte) []byte {
	h := sha256.New()
	h.Write([]byte("ada-mcp export cursor\x00"))
	h.Write(payload)
	return h.Sum(nil)[:9]
}

// decodeExportCursor checks a cursor's form, checksum and consistency: its windows inside
// the export, its page a Data Export query of the same time field within the current window.
func decodeExportCursor(s string) (*exportCursor, error) {
	payload, sum, ok := strings.Cut(strings.TrimPrefix(s, exportCursorPrefix), ".")
	if !strings.HasPrefix(s, exportCursorPrefix) || !ok {
		return nil, fmt.Errorf("not an export cursor")
	}
	b, err1 := base64.RawURLEncoding.DecodeString(payload)
	got, err2 := base64.RawURLEncoding.DecodeString(sum)
	// The decoder skips line breaks and ignores stray low bits: only the
	// spelling Cursor writes is one.
	if err1 != nil || err2 != nil || string(got) != string(exportCursorSum(b)) ||
		base64.RawURLEncoding.EncodeToString(b) != payload || base64.RawURLEncoding.EncodeToString(got) != sum {
		return nil, fmt.Errorf("damaged")
	}
	var c exportCursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	p := ExportPlan{By: c.by(), End: c.end(), Pos: ExportPosition{Window: time.Unix(0, c.W).UTC()}}
	switch {
	case c.V != exportCursorVersion || (c.K != "c" && c.K != "m") || (c.B != "" && c.B != "u") || (c.K == "m" && c.B != ""):
		return nil, fmt.Errorf("unknown kind")
	case c.S >= c.E || c.W < c.S || c.W >= c.E || c.N < 0 || c.N > adaclient.MaxExportPageSize || len(c.X) > maxExportSkip:
		return nil, fmt.Errorf("inconsistent")
	case c.P != "":
		v, err := url.ParseQuery(c.P)
		bound := v.Get(string(c.by()) + "_since")
		if err != nil || bound == "" || v.Get("conversation_id") != c.C {
			return nil, fmt.Errorf("not a page of this export")
		}
		// Ada's bound is checked when it reads as a time (its format is Ada's to choose).
		if since, err := adaclient.ParseExportTime(bound); err == nil && (since.Before(p.Pos.Window) || !since.Before(p.WindowEnd())) {
			return nil, fmt.Errorf("page outside its window")
		}
	}
	return &c, nil
}

// ExportWindow is the window an export covers.
type ExportWindow struct {
	Start string `json:"start" jsonschema:"required"`
	End   string `json:"end" jsonschema:"required"`
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
	if t, err := adaclient.ParseExportTime(s); err == nil {
		return formatExportArgTime(t)
	}
	out, _ := cutText(s, 64)
	return out
}

// cutText cuts s to n runes between words, marking the cut: results are
// redacted after this, and half a secret would not be recognised.
func cutText(s string, n int) (string, bool) { return redact.Cut(s, n) }

// boundedMap flattens an object for a result: strings (cut to maxExportValueRunes), numbers
// and booleans as they are, anything else as its JSON text (cut), keys in order until
// maxExportMapBytes. Not an object: nil.
func boundedMap(v any) (Metadata, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out, size, cut := Metadata{}, 2, false
	for _, k := range keys {
		var value any
		switch x := m[k].(type) {
		case nil:
			continue
		case string:
			value, cut = cutOr(x, cut)
		case bool, json.Number:
			value = x
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				continue
			}
			value = x
		default:
			b, _ := json.Marshal(x)
			value, cut = cutOr(string(b), cut)
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(value)
		if size+len(kb)+len(vb)+2 > maxExportMapBytes {
			return out, true
		}
		size += len(kb) + len(vb) + 2
		out[k] = value
	}
	return out, cut
}

func cutOr(s string, cut bool) (string, bool) {
	out, c := cutText(s, maxExportValueRunes)
	return out, cut || c
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
