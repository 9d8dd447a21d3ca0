// Package paging is how the export and audit-log tools page through Ada and
// the cursors they hand the assistant to continue: the Data Export plan,
// which splits an export into windows Ada accepts and walks them page by
// page (export.go), the audit log's cursor, Ada's next page replayed
// verbatim (audit.go), and the cursors of list_articles and list_channels,
// bound to their filters (listing.go).
//
// The tools' argument structs (package schemas) parse the arguments and
// call here. Cursors are decoded and checked here, so that their format
// has one owner: a cursor a server once issued must still decode.
package paging

import "fmt"

// FieldError is an argument that does not fit the export or listing: Field
// is the tool argument's name. Package schemas reports it as its
// ArgumentError, as it does its own checks.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
