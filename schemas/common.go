package schemas

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ada-mcp/ada-mcp/internal/paging"
)

// Metadata is a flat object of string, number and boolean values (Ada's
// metadata on conversations, channels and end-user profiles).
type Metadata map[string]any

// EndUserMetadata is an end-user profile's metadata as written: string,
// integer and boolean values (Ada refuses decimals there, unlike on
// conversations and channels).
type EndUserMetadata map[string]any

// MetadataPatch is metadata in an update: a null value removes the key.
type MetadataPatch map[string]any

// SensitiveMetadata is write-only end-user data: values are non-empty
// strings, integers or booleans; null removes a key on update.
type SensitiveMetadata map[string]any

// Keys returns the keys set (non-null) and removed (null), sorted.
func (s SensitiveMetadata) Keys() (set, removed []string) {
	for k, v := range s {
		if v == nil {
			removed = append(removed, k)
		} else {
			set = append(set, k)
		}
	}
	sort.Strings(set)
	sort.Strings(removed)
	return set, removed
}

// Page is the tail of every list result.
type Page struct {
	NextCursor string `json:"next_cursor,omitempty" jsonschema_description:"Pass as cursor to get the next page."`
	HasMore    bool   `json:"has_more" jsonschema:"required"`
}

// ArgumentError is an argument problem found after decoding: which field,
// what is wrong.
type ArgumentError struct {
	Field  string
	Reason string
}

func (e *ArgumentError) Error() string { return e.Field + ": " + e.Reason }

func argErr(field, format string, args ...any) error {
	return &ArgumentError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// argumentFrom is err as an ArgumentError when package paging refused an
// argument (a cursor, or an export window), so that the tools describe it
// as any other.
func argumentFrom(err error) error {
	var fe *paging.FieldError
	if errors.As(err, &fe) {
		return &ArgumentError{Field: fe.Field, Reason: fe.Reason}
	}
	return err
}

// exactlyOne checks that exactly one of the named string arguments is set.
func exactlyOne(a, b string, va, vb string) error {
	switch {
	case va == "" && vb == "":
		return argErr(a, "give either %s or %s", a, b)
	case va != "" && vb != "":
		return argErr(a, "give either %s or %s, not both", a, b)
	}
	return nil
}

// validateID rejects an id that is blank, or "." or ".." (which would name
// another path), before anything is sent; hint, if set, says where the ids
// come from ("list_webhooks shows the ids").
func validateID(field, id, hint string) error {
	if hint != "" {
		hint = ": " + hint
	}
	switch strings.TrimSpace(id) {
	case "":
		return argErr(field, "is required%s", hint)
	case ".", "..":
		return argErr(field, "%q is not an id%s", id, hint)
	}
	return nil
}

// isBlank: given, but only white space. An optional argument given as ""
// counts as left out; a blank one is refused, as Ada would refuse it.
func isBlank(s string) bool { return s != "" && strings.TrimSpace(s) == "" }

// validateCursor refuses a cursor of only white space, which Ada answers with a 400;
// "" is a cursor left out (the first page).
func validateCursor(cursor string) error {
	if isBlank(cursor) {
		return argErr("cursor", "must not be blank: pass a next_cursor as given, or leave it out for the first page")
	}
	return nil
}

// allFrom converts a list of Ada's records with from, the one-record
// conversion.
func allFrom[T, U any](in []T, from func(*T) U) []U {
	out := make([]U, len(in))
	for i := range in {
		out[i] = from(&in[i])
	}
	return out
}

// AdaCursor is implemented by the arguments of list tools whose cursor is
// Ada's own, passed through as given: a cursor Ada refuses is then most
// likely another listing's, and the tool says so.
type AdaCursor interface{ AdaCursor() string }

func (a *ListCustomInstructionsArgs) AdaCursor() string { return a.Cursor }
func (a *ListChannelsArgs) AdaCursor() string           { return a.Cursor }
func (a *ListMessagesArgs) AdaCursor() string           { return a.Cursor }
func (a *ListEndUsersArgs) AdaCursor() string           { return a.Cursor }
func (a *ListWebhooksArgs) AdaCursor() string           { return a.Cursor }

// listingPage reads a filtered list's cursor into page: Ada's cursor, when
// cursor is a next_cursor of the same listing (paging.ListingPage); tool
// and arguments name the listing for the error.
func listingPage(cursor, listing, tool, arguments string, page *string) error {
	if cursor == "" {
		return nil
	}
	p, err := paging.ListingPage(cursor, listing, tool, arguments)
	if err != nil {
		return argumentFrom(err)
	}
	*page = p
	return nil
}
