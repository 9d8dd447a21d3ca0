package adasim

import (
	"net/http"
	"net/url"
	"strconv"
)

// Cursor pagination (ada-api.md section 0, Pagination; seed "Pagination"): a request carries
// limit and cursor, where cursor is the id of the first record of the page wanted; a response
// is {"data": [...], "meta": {"next_page_url": "<absolute URL>" | null}}.

const (
	defaultPageLimit = 100
	maxPageLimit     = 100
)

type pageParams struct {
	limit  int
	cursor string // "" for the first page
}

// parsePageParams reads limit (default and max 100; outside 1-100 is 400, an assumption for
// lists other than end users) and cursor.
func parsePageParams(q url.Values) (pageParams, *apiError) {
	p := pageParams{limit: defaultPageLimit, cursor: q.Get("cursor")}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > maxPageLimit {
			return p, badRequest("limit must be an integer from 1 to %d.", maxPageLimit)
		}
		p.limit = n
	}
	if q.Has("cursor") && p.cursor == "" {
		return p, badRequest("cursor must not be empty.")
	}
	return p, nil
}

// listPage is the body of every list response.
type listPage[T any] struct {
	Data []T      `json:"data"`
	Meta pageMeta `json:"meta"`
}

type pageMeta struct {
	NextPageURL *string `json:"next_page_url"`
}

// pageFrom returns the page of items that starts at index start, and the id of the first
// record of the next page ("" on the last page).
func pageFrom[T any](items []T, start, limit int, idOf func(T) string) (page []T, next string) {
	start = min(start, len(items))
	end := min(start+limit, len(items))
	if end < len(items) {
		next = idOf(items[end])
	}
	return items[start:end], next
}

// nextPageURL is the absolute URL of the next page: this request's scheme, host, path and
// query (a channel list keeps its type and modality filters), with cursor and limit set. Nil on
// the last page.
func nextPageURL(r *http.Request, cursor string, limit int) *string {
	if cursor == "" {
		return nil
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := r.URL.Query()
	q.Set("cursor", cursor)
	q.Set("limit", strconv.Itoa(limit))
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	s := u.String()
	return &s
}

// seqIndex remembers the creation position of every id ever listed, so a cursor keeps working
// after its record is deleted (an assumption: Ada does not say).
type seqIndex struct {
	next int
	seqs map[string]int
}

func newSeqIndex() seqIndex { return seqIndex{seqs: map[string]int{}} }

func (x *seqIndex) add(id string) int {
	x.next++
	x.seqs[id] = x.next
	return x.next
}

// cursorSeq resolves a cursor; an id this list never held is 400.
func (x *seqIndex) cursorSeq(cursor string) (int, *apiError) {
	if cursor == "" {
		return 0, nil
	}
	seq, ok := x.seqs[cursor]
	if !ok {
		return 0, badRequest("cursor %q is not a valid cursor for this list.", cursor)
	}
	return seq, nil
}

// seqStart is the index of the first item at or after cursorSeq (0 for the first page).
func seqStart[T any](items []T, seqOf func(T) int, cursorSeq int) int {
	if cursorSeq == 0 {
		return 0
	}
	for i, it := range items {
		if seqOf(it) >= cursorSeq {
			return i
		}
	}
	return len(items)
}
