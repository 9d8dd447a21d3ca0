// Package jsondec decodes JSON as encoding/json does with UseNumber, on
// go-json-experiment's decoder (encoding/json/v2 to be), which takes about
// half the time and a third of the allocations on the hot path: Ada's
// answers and tool arguments, decoded once per call.
//
// The semantics are v1's (jsonv1.DefaultOptionsV1: case-insensitive
// names, duplicate names and invalid UTF-8 allowed, UnmarshalJSON methods
// called); a number decoded into an interface is an encoding/json Number,
// so the rest of the program sees the same values as before.
package jsondec

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// options are built at first use, not at every start (a tenth of a
// millisecond).
var options = sync.OnceValue(func() jsonv2.Options {
	return jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(),
		jsonv2.WithUnmarshalers(jsonv2.JoinUnmarshalers(
			jsonv2.UnmarshalFromFunc(numberAsJSONNumber),
			jsonv2.UnmarshalFromFunc(numberField))))
})

// numberAsJSONNumber is UseNumber: a number bound for an interface keeps
// its digits. Anything else goes the default way.
func numberAsJSONNumber(dec *jsontext.Decoder, v *any) error {
	if dec.PeekKind() != '0' {
		return errors.ErrUnsupported
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	*v = json.Number(tok.String())
	return nil
}

// numberField decodes into a json.Number as encoding/json does: a number,
// or a string holding one. (The library knows its own Number type, not
// encoding/json's.)
func numberField(dec *jsontext.Decoder, n *json.Number) error {
	kind := dec.PeekKind()
	if kind != '0' && kind != '"' {
		return errors.ErrUnsupported // null leaves it alone; the rest are refused
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	s := tok.String()
	if kind == '"' && !isNumber(s) {
		return fmt.Errorf("json: invalid number literal, trying to unmarshal %q into Number", s)
	}
	*n = json.Number(s)
	return nil
}

// isNumber reports whether s is one JSON number literal.
func isNumber(s string) bool {
	return s != "" && (s[0] == '-' || '0' <= s[0] && s[0] <= '9') && json.Valid([]byte(s))
}

// Unmarshal decodes the JSON document data into v, numbers in interfaces
// as json.Number. Like json.Unmarshal, it refuses trailing data.
func Unmarshal(data []byte, v any) error {
	return jsonv2.Unmarshal(data, v, options())
}
