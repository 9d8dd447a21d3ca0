package paging

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// A filtered list's cursor (list_articles', list_channels') is Ada's cursor
// and a fingerprint of the listing it belongs to (the filters and the page
// size). Ada's next_page_url keeps the filters, but a cursor passed back
// alone would list from the cursor's position with no or other filters,
// silently another listing: the fingerprint makes that an error naming
// what to repeat.

// ListingCursor is the next_cursor of a page of the listing (as Listing
// spells it) whose Ada cursor is adaCursor; "" on the last page.
func ListingCursor(adaCursor, listing string) string {
	if adaCursor == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(adaCursor)) + "." + fingerprint(listing)
}

// ListingPage is Ada's cursor of a next_cursor of tool, checked against
// the listing it is passed with; arguments names what the listing is made
// of, for the error.
func ListingPage(cursor, listing, tool, arguments string) (string, error) {
	enc, fp, ok := strings.Cut(cursor, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || len(raw) == 0 {
		return "", fieldErr("cursor", "is not a next_cursor of %s: pass it exactly as returned", tool)
	}
	if fp != fingerprint(listing) {
		return "", fieldErr("cursor", "belongs to a listing with other filters or another limit: pass the same %s as the call that returned it", arguments)
	}
	return string(raw), nil
}

// Listing spells a listing's filters and page size, for the fingerprint:
// each filter's values in the order given, the same as Ada sends them.
func Listing(limit int, filters ...[]string) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(limit))
	for _, f := range filters {
		b.WriteByte(0)
		b.WriteString(strings.Join(f, "\x01"))
	}
	return b.String()
}

func fingerprint(listing string) string {
	sum := sha256.Sum256([]byte(listing))
	return hex.EncodeToString(sum[:6])
}
