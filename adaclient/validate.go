package adaclient

import (
	"encoding/json"
	"maps"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/internal/lazyregexp"
)

// Ada's documented limits, checked before a request is sent so a violation
// is a clear local error and no request is made.
const (
	MaxExternalIDLength       = 36
	MaxEndUserMetadataBytes   = 10 * 1024 // raised from 4 KB on 2026-05-19
	MaxMetadataBytes          = 4 * 1024  // conversations, channels, email conversations
	MaxSensitiveMetadataPairs = 20
	MaxPageSize               = 100
)

var sensitiveKeyRE = lazyregexp.New(`^[A-Za-z0-9_-]+$`)

// ValidateExternalID applies Ada's rules: 1–36 characters, no '<' or '>'.
func ValidateExternalID(field, id string) error {
	n := utf8.RuneCountInString(id)
	switch {
	case strings.TrimSpace(id) == "":
		return invalid(field, "must not be empty")
	case n > MaxExternalIDLength:
		return invalid(field, "is %d characters; Ada allows at most %d", n, MaxExternalIDLength)
	case strings.ContainsAny(id, "<>"):
		return invalid(field, "must not contain '<' or '>'")
	}
	return nil
}

// metadataKind says which value types a metadata object accepts.
type metadataKind int

const (
	// endUserMetadata: string, boolean, integer (Ada's EndUserProfile).
	endUserMetadata metadataKind = iota
	// objectMetadata: string, boolean, integer, number (conversations, channels).
	objectMetadata
)

// validateMetadata checks value types, keys and the encoded size. allowNull
// is true on updates, where a null value removes the key.
func validateMetadata(field string, m map[string]any, kind metadataKind, allowNull bool) error {
	if m == nil {
		return nil
	}
	for _, k := range sortedKeys(m) {
		if k == "" {
			return invalid(field, "keys must not be empty")
		}
		if err := checkScalar(field+"."+k, m[k], kind == objectMetadata, allowNull); err != nil {
			return err
		}
	}
	limit := MaxMetadataBytes
	if kind == endUserMetadata {
		limit = MaxEndUserMetadataBytes
	}
	b, err := marshal(m)
	if err != nil {
		return invalid(field, "cannot be encoded as JSON: %v", err)
	}
	if len(b) > limit {
		return invalid(field, "is %d bytes as JSON; Ada allows at most %d KB", len(b), limit/1024)
	}
	return nil
}

// checkScalar accepts the JSON scalar types Ada allows in metadata. Numbers
// arrive as float64 (from JSON) or json.Number or Go integers.
func checkScalar(field string, v any, allowFloat, allowNull bool) error {
	switch x := v.(type) {
	case nil:
		if allowNull {
			return nil
		}
		return invalid(field, "must not be null here (null removes a key only in updates that allow it, such as conversation metadata)")
	case string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return invalid(field, "must be a finite number")
		}
		if allowFloat || x == math.Trunc(x) {
			return nil
		}
		return invalid(field, "must be a string, boolean or integer (Ada rejects decimal numbers here)")
	case float32:
		return checkScalar(field, float64(x), allowFloat, allowNull)
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return nil
		}
		f, err := x.Float64()
		if err != nil {
			return invalid(field, "is not a valid number")
		}
		return checkScalar(field, f, allowFloat, allowNull)
	}
	kinds := "a string, boolean or integer"
	if allowFloat {
		kinds = "a string, boolean or number"
	}
	return invalid(field, "must be %s; objects and arrays are not allowed", kinds)
}

// validateSensitive applies Ada's sensitive_metadata rules without ever
// quoting a value. onCreate additionally forbids keys shared with metadata.
func validateSensitive(field string, s *SensitiveMetadata, metadata map[string]any, onCreate bool) error {
	if s == nil {
		return nil
	}
	if s.Fields == nil {
		return invalid(field+".fields", "is required when sensitive_metadata is given")
	}
	if len(s.Fields) > MaxSensitiveMetadataPairs {
		return invalid(field+".fields", "has %d keys; Ada accepts at most %d per request", len(s.Fields), MaxSensitiveMetadataPairs)
	}
	for _, k := range sortedKeys(s.Fields) {
		f := field + ".fields." + k
		if !sensitiveKeyRE().MatchString(k) {
			return invalid(f, "key must match [A-Za-z0-9_-]+")
		}
		v := s.Fields[k]
		if str, ok := v.(string); ok && str == "" {
			return invalid(f, "must not be an empty string")
		}
		// null is allowed on create too: Ada's CreateEndUserRequest lists it
		// among the values ("non-empty strings, booleans, integers, or null").
		if err := checkScalar(f, v, false, true); err != nil {
			return invalid(f, "must be a non-empty string, a boolean or an integer")
		}
		if _, clash := metadata[k]; clash && onCreate {
			return invalid(f, "key is also in profile.metadata; Ada requires the two to be distinct")
		}
	}
	return nil
}

func validateLimit(field string, limit int) error {
	if limit < 0 || limit > MaxPageSize {
		return invalid(field, "must be between 1 and %d", MaxPageSize)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validateID requires an id that goes into a request path: not blank, and
// not "." or "..", which would name another path once escaped.
func validateID(field, id string) error {
	if err := requireText(field, id); err != nil {
		return err
	}
	if id == "." || id == ".." {
		return invalid(field, "%q is not an id: it would name another path", id)
	}
	return nil
}

func requireText(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return invalid(field, "is required")
	}
	return nil
}

// wholeNumbersAsIntegers is m with each whole-valued number (validated
// before: finite, and whole where only integers are allowed) written as a
// JSON integer, exactly: a json.Number by its digits (9007199254740993.0
// is 9007199254740993), a float64 only below 2^53, where it is exact. m is
// unchanged; it is returned as is when nothing changes.
func wholeNumbersAsIntegers(m map[string]any) map[string]any {
	var out map[string]any
	for k, v := range m {
		var digits string
		switch x := v.(type) {
		case json.Number:
			digits, _ = IntegerForm(string(x))
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				digits = strconv.FormatInt(int64(x), 10)
			}
		case float32:
			if f := float64(x); f == math.Trunc(f) && math.Abs(f) < 1<<24 {
				digits = strconv.FormatInt(int64(f), 10)
			}
		}
		if digits == "" {
			continue
		}
		if out == nil {
			out = maps.Clone(m)
		}
		out[k] = json.Number(digits)
	}
	if out == nil {
		return m
	}
	return out
}

// IntegerForm is a JSON number written with a fraction or an exponent
// whose value is whole (12345.0, 1e3) as Ada stores and echoes it, an
// integer (12345, 1000), exactly however large; ok is false for any other
// string, integers as written included.
func IntegerForm(number string) (integer string, ok bool) {
	r, valid := new(big.Rat).SetString(number)
	if !valid || !r.IsInt() || !strings.ContainsAny(number, ".eE") {
		return "", false
	}
	return r.Num().String(), true
}
