package adaclient

import (
	"context"
	"net/url"
	"strconv"
)

// ListOptions are Ada's cursor pagination parameters.
type ListOptions struct {
	// Cursor continues a previous listing: Response.NextCursor.
	Cursor string
	// Limit is the page size, 1–100; 0 leaves Ada's default (100).
	Limit int
}

func (o *ListOptions) values(q url.Values) (url.Values, error) {
	if q == nil {
		q = url.Values{}
	}
	if o == nil {
		return q, nil
	}
	if err := validateLimit("limit", o.Limit); err != nil {
		return nil, err
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	return q, nil
}

// page is Ada's list envelope: {"data": [...], "meta": {"next_page_url": ...}}.
type page[T any] struct {
	Data []T `json:"data"`
	Meta struct {
		NextPageURL *string `json:"next_page_url"`
	} `json:"meta"`
}

// fill records the next page on the Response.
func (p *page[T]) fill(r *Response) {
	if r == nil || p.Meta.NextPageURL == nil || *p.Meta.NextPageURL == "" {
		return
	}
	r.NextPageURL = *p.Meta.NextPageURL
	r.NextCursor = cursorFromURL(r.NextPageURL)
}

// cursorFromURL extracts the cursor query parameter of a next_page_url.
func cursorFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Query().Get("cursor")
}

// list runs a GET of one page of T.
func list[T any](c *Client, ctx context.Context, path string, q url.Values) ([]T, *Response, error) {
	var p page[T]
	r, err := c.do(ctx, call{method: "GET", path: path, query: q, mode: idempotent}, &p)
	if err != nil {
		return nil, r, err
	}
	p.fill(r)
	if p.Data == nil {
		p.Data = []T{}
	}
	return p.Data, r, nil
}
