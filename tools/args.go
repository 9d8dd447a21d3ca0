package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/internal/argcheck"
	"github.com/ada-mcp/ada-mcp/internal/jsondec"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// argDecoder turns a tools/call's arguments into a tool's argument struct,
// strictly: an unknown key (matched case-sensitively, at any depth), a
// wrong type or a missing required field is an error that names the field
// and what is allowed (argcheck, on the bytes as sent, before anything is
// decoded). It forgives the usual LLM slips that cannot change the
// meaning: "25" for an integer, "true" for a boolean, an object sent as a
// JSON string.
type argDecoder struct {
	schema *argcheck.Schema
}

// decoders caches compiled input schemas by tool name: a schema is fixed
// at build time, and the evaluation runner builds a server for every run.
var decoders sync.Map // tool name → *cachedDecoder

type cachedDecoder struct {
	schema json.RawMessage
	dec    *argDecoder
}

// argDecoderFor returns the compiled decoder of a tool's input schema,
// compiling it the first time (or again if the schema ever differs).
func argDecoderFor(tool string, raw json.RawMessage) (*argDecoder, error) {
	if c, ok := decoders.Load(tool); ok && bytes.Equal(c.(*cachedDecoder).schema, raw) {
		return c.(*cachedDecoder).dec, nil
	}
	s, err := argcheck.Compile(raw)
	if err != nil {
		return nil, fmt.Errorf("tool %s: input schema: %w", tool, err)
	}
	dec := &argDecoder{schema: s}
	decoders.Store(tool, &cachedDecoder{schema: raw, dec: dec})
	return dec, nil
}

// rawArguments returns a call's arguments as JSON: the bytes as sent,
// which keep every digit of an integer above 2^53 (an account number in
// metadata, say; mcp-go's own decoding turns numbers into float64), or,
// for in-process callers that set only Arguments, those encoded.
func rawArguments(params mcp.CallToolParams) (json.RawMessage, error) {
	if len(params.RawArguments) > 0 || params.Arguments == nil {
		return params.RawArguments, nil
	}
	b, err := json.Marshal(params.Arguments)
	if err != nil {
		return nil, &schemas.ArgumentError{Field: "arguments", Reason: "must be a JSON object"}
	}
	return b, nil
}

// decode checks raw (a JSON object; empty is {}) and stores it in out,
// numbers as json.Number.
func (d *argDecoder) decode(raw json.RawMessage, out any) error {
	fixed, err := d.schema.Check(raw)
	if err != nil {
		return explain(err)
	}
	if err := jsondec.Unmarshal(fixed, out); err != nil {
		return &schemas.ArgumentError{Field: "arguments", Reason: err.Error()}
	}
	return nil
}

// explain turns argcheck's problems into one error that names the first
// field and lists every problem.
func explain(err error) error {
	var e *argcheck.Error
	if !errors.As(err, &e) || len(e.Problems) == 0 {
		return &schemas.ArgumentError{Field: "arguments", Reason: err.Error()}
	}
	first := e.Problems[0].Field
	return &schemas.ArgumentError{Field: first, Reason: strings.TrimPrefix(e.Error(), first+": ")}
}

// sentArguments is a call's arguments as a JSON value, for the transcript:
// nil when they are not JSON.
func sentArguments(raw json.RawMessage) any {
	var v any
	if jsondec.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}
