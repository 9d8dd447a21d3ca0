package schemas

import "github.com/ada-mcp/ada-mcp/adaclient"

// Every string, array and map argument has a bound, so that no argument
// costs the server more than its size: the one Ada documents where it does
// (a struct tag, published in the tool's schema), else a generous one added
// to the schema arguments are checked against (Bounded; not published: it
// would cost tokens in every tools/list and tell the assistant nothing it
// needs).
const (
	// DefaultMaxStringLength bounds a string argument without a bound of
	// its own: ids, names, emails, URLs, dates, cursors, file paths.
	DefaultMaxStringLength = 4096
	// DefaultMaxItems bounds an array: Ada's largest documented count
	// (identifiers of one erasure, conditions of one availability rule).
	DefaultMaxItems = 1000
	// DefaultMaxProperties bounds a map (metadata and the like): more keys
	// than Ada's largest metadata (10 KB) can hold.
	DefaultMaxProperties = 2000
	// MaxMapValueLength bounds a string value in a map: Ada's largest
	// metadata, in all, is 10 KB.
	MaxMapValueLength = adaclient.MaxEndUserMetadataBytes
)

// Bounds of free text, longer than the default. Ada documents those of an
// email's text (10 KB) and of an article (100 KB); the others are generous.
const (
	MaxMessageLength     = 32768    // send_message body, ask_ai_agent question
	MaxInstructionLength = 32768    // custom instruction text and notes, persona description
	MaxRuleLength        = 16384    // a custom instruction's availability rule expression
	MaxEmailTextLength   = 10240    // Ada: 10 KB (in bytes, which Validate checks)
	MaxArticleLength     = 102400   // Ada: an article is at most 100 KB (in bytes, checked as JSON)
	MaxContentBase64     = 72 << 20 // 50 MB in base64 (69,905,068 characters) with room for line breaks
)
