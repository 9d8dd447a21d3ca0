package adaclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

// pages is a transport serving one list page whose next_page_url is
// next, and recording the URL of each request.
type pages struct {
	next string
	seen []*url.URL
}

func (p *pages) RoundTrip(r *http.Request) (*http.Response, error) {
	p.seen = append(p.seen, r.URL)
	body, _ := json.Marshal(map[string]any{"data": []any{}, "meta": map[string]any{"next_page_url": p.next}})
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

// FuzzListCursor follows Ada's list cursors both ways: out of any
// next_page_url Ada sends, and back in from whatever cursor an assistant
// passes. Nothing may panic; a cursor goes back to Ada as the cursor
// parameter alone, exactly, on the listing's own path (it cannot add a
// parameter or change the path); the cursor read from a next_page_url is
// that URL's cursor parameter.
func FuzzListCursor(f *testing.F) {
	f.Add("https://acme.ada.support/api/v2/end-users/?cursor=abc%3D&limit=2", "")
	f.Add("/v2/end-users/?cursor=a&cursor=b", "x&limit=1")
	f.Add("https://acme.ada.support/api/v2/end-users/?limit=2", "../../v2/webhooks/?")
	f.Add("%zz", "a b#c")
	f.Add("", "\x00é\u2028")
	f.Fuzz(func(t *testing.T, nextPageURL, cursor string) {
		p := &pages{next: nextPageURL}
		c, err := adaclient.New("https://acme.ada.support/api", "fuzz_key_0123456789",
			adaclient.WithHTTPClient(&http.Client{Transport: p}), adaclient.WithRetryPolicy(adaclient.RetryPolicy{}))
		if err != nil {
			t.Fatal(err)
		}
		_, r, err := c.EndUsers.List(context.Background(), &adaclient.ListOptions{Limit: 2})
		if err != nil {
			t.Fatalf("a page with next_page_url %q: %v", nextPageURL, err)
		}
		// The URL as the client reads it from Ada's JSON (invalid UTF-8
		// arrives replaced).
		var sent string
		b, _ := json.Marshal(nextPageURL)
		_ = json.Unmarshal(b, &sent)
		if u, err := url.Parse(sent); err == nil && u.Query().Get("cursor") != r.NextCursor {
			t.Fatalf("next_page_url %q gave cursor %q", nextPageURL, r.NextCursor)
		}
		for _, cur := range []string{r.NextCursor, cursor} {
			p.seen = nil
			if _, _, err := c.EndUsers.List(context.Background(), &adaclient.ListOptions{Cursor: cur}); err != nil {
				t.Fatalf("cursor %q: %v", cur, err)
			}
			sent := p.seen[0]
			if sent.Path != "/api/v2/end-users/" {
				t.Fatalf("cursor %q moved the request to %q", cur, sent.Path)
			}
			q := sent.Query()
			if q.Get("cursor") != cur || len(q) > 1 || (cur == "" && len(q) != 0) {
				t.Fatalf("cursor %q sent as the query %q", cur, sent.RawQuery)
			}
		}
	})
}
