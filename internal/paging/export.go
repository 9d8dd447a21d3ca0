package paging

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/adatime"
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
)

// ExportRequest is an export as either tool's arguments ask for it, parsed (by package
// schemas): what Continue checks a cursor against and Plan resolves.
type ExportRequest struct {
	Messages       bool               // export_messages; else export_conversations
	By             adaclient.ExportBy // "" when not given
	Start, End     time.Time          // zero when not given
	ConversationID string             // "" when not given
	PageSize       int                // 0 when not given

	cursor *exportCursor // the export to continue, set by Continue
}

func (r *ExportRequest) tool() string {
	if r.Messages {
		return "export_messages"
	}
	return "export_conversations"
}

// Continue makes r continue the export of cursor. The cursor must be one this tool returned,
// undamaged, and start, end, by and conversation_id, where given, must be that export's own.
func (r *ExportRequest) Continue(cursor string) error {
	c, err := decodeExportCursor(cursor)
	if err != nil || c.messages() != r.Messages {
		return fieldErr("cursor", "is not a cursor of %s (damaged, or from another tool): pass next_cursor exactly as returned, or start over without cursor", r.tool())
	}
	mismatch := func(field string) error {
		return fieldErr(field, "differs from the export the cursor continues (%s to %s): leave start, end and by out to continue it, or drop the cursor to start another",
			FormatExportTime(c.start()), FormatExportTime(c.end()))
	}
	switch {
	case !r.Start.IsZero() && !r.Start.Equal(c.start()) && !r.Start.Equal(c.requestedStart()):
		return mismatch("start")
	case !r.End.IsZero() && !r.End.Equal(c.end()) && !r.End.Equal(c.requestedEnd()):
		return mismatch("end")
	case !r.Messages && r.By != "" && r.By != c.by():
		return mismatch("by")
	case r.Messages && r.ConversationID != "" && r.ConversationID != c.C:
		return mismatch("conversation_id")
	}
	r.cursor = c
	return nil
}

// FormatExportTime is how the export tools write a time: RFC 3339 in UTC, to the nanosecond.
func FormatExportTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Plan resolves r at now into the export to run, applying the 12-month rule at now. A start
// before it is moved up to it (the plan's note says so: Ada has nothing older, and an error
// would only make the caller retry with a start that is already stale by then); an end after
// now is now; an end before it is an error. A cursor carries its plan.
func (r *ExportRequest) Plan(now time.Time) (*ExportPlan, error) {
	now = now.UTC()
	pageSize := cmp.Or(r.PageSize, DefaultExportPageSize)
	if c := r.cursor; c != nil {
		p := &ExportPlan{Messages: c.messages(), By: c.by(), Start: c.start(), End: c.end(), ConversationID: c.C, PageSize: pageSize,
			requestedStart: c.requestedStart(), requestedEnd: c.requestedEnd(),
			Pos: ExportPosition{Window: time.Unix(0, c.W).UTC(), Page: c.P, Consumed: c.N, Last: c.L, Skip: c.X}}
		return p, nil
	}
	p := &ExportPlan{Messages: r.Messages, By: cmp.Or(r.By, adaclient.ExportByCreated), Start: r.Start.UTC(), End: r.End.UTC(),
		ConversationID: r.ConversationID, PageSize: pageSize, requestedStart: r.Start.UTC(), requestedEnd: r.End.UTC()}
	// "Now", rounded up to the second, so that what was written this second is in.
	latest := now.Truncate(time.Second).Add(time.Second)
	if !p.Start.Before(latest) {
		// Said before the end is clipped to now: "not before end" would blame an end the
		// caller may not have given.
		return nil, fieldErr("start", "is in the future (now is %s): Data Export has nothing newer than now", FormatExportTime(now.Truncate(time.Second)))
	}
	if p.End.IsZero() || p.End.After(latest) {
		p.End = latest
	}
	oldest := ExportOldest(now)
	var notes []string
	if !p.End.After(oldest) {
		return nil, fieldErr("end", "is more than 12 months ago: Ada's Data Export keeps only the past 12 months (since %s)", FormatExportTime(oldest))
	}
	if p.Start.Before(oldest) {
		notes = append(notes, fmt.Sprintf("start was moved from %s to %s: Ada's Data Export keeps only the past 12 months.", FormatExportTime(p.Start), FormatExportTime(oldest)))
		p.Start = oldest
	}
	if !p.End.After(p.Start) {
		return nil, fieldErr("start", "is not before end (%s)", FormatExportTime(p.End))
	}
	p.Note = strings.Join(notes, " ")
	p.Pos.Window = p.Start
	return p, nil
}

// ExportOldest is the oldest start export tools use at now: Ada's 12 months, and a minute.
func ExportOldest(now time.Time) time.Time {
	return adaclient.ExportRetentionStart(now).Add(exportRetentionMargin).Truncate(time.Second)
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
		since, _ = adatime.Parse(v.Get(string(p.By) + "_since"))
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
		at, err := adatime.Parse(times[i])
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
		if since, err := adatime.Parse(bound); err == nil && (since.Before(p.Pos.Window) || !since.Before(p.WindowEnd())) {
			return nil, fmt.Errorf("page outside its window")
		}
	}
	return &c, nil
}
