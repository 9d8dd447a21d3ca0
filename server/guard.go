package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/ada-mcp/ada-mcp/internal/jsonscan"
)

// bufferedBody is a request body limitBody has read into memory, so that
// guardToolCalls can look at it without another copy.
type bufferedBody struct {
	*bytes.Reader
	data []byte
}

func newBufferedBody(data []byte) *bufferedBody {
	return &bufferedBody{Reader: bytes.NewReader(data), data: data}
}

func (*bufferedBody) Close() error { return nil }

// guardToolCalls hands mcp-go a tools/call with a duplicate key or too
// deep arguments rewritten so that its tool refuses it, naming the key,
// and a request for a method it does not serve without the method's name
// (jsonscan.Check); every other body passes as it came. It follows
// limitBody, so the body is in memory and bounded.
func guardToolCalls(logger *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			var body []byte
			if b, ok := r.Body.(*bufferedBody); ok {
				body = b.data
			} else {
				// Not behind limitBody (a test, a new route): read it anyway.
				var err error
				if body, err = io.ReadAll(r.Body); err != nil {
					writeError(w, http.StatusBadRequest, "bad_request", "the request body could not be read")
					return
				}
				r.Body = newBufferedBody(body)
			}
			if isBatch(body) {
				// mcp-go reads a batch as a parse error (on /mcp), or answers it
				// on the SSE stream with id null, which leaves every request in
				// it unanswered: say what is wrong instead.
				writeRPCError(w, http.StatusBadRequest, nil, mcp.INVALID_REQUEST, "batches are not supported: send one JSON-RPC message per request")
				return
			}
			c := jsonscan.Check(body)
			if p := c.Problem; p != nil {
				logger.LogAttrs(r.Context(), slog.LevelDebug, "tool call refused before dispatch",
					slog.String("field", p.Field), slog.String("reason", p.Reason), slog.String("path", r.URL.Path))
			}
			if c.ID != nil && inexactID(c.ID) {
				writeRPCError(w, http.StatusBadRequest, c.ID, mcp.INVALID_REQUEST, idRefusalMessage)
				return
			}
			if c.RenamedMethod && r.Header.Get("Mcp-Method") != "" {
				// The header must agree with the body, or the mismatch
				// error would repeat the name.
				r.Header.Set("Mcp-Method", jsonscan.UnknownMethod)
			}
			if c.Problem != nil || c.RenamedMethod {
				body = c.Msg
				r.Body = newBufferedBody(body)
				r.ContentLength = int64(len(body))
			}
			if id, header, ok := headerMismatch(r.Header, body); ok {
				writeRPCError(w, http.StatusBadRequest, id, mcp.HEADER_MISMATCH, "header mismatch: the "+header+" header does not match the request body")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// isBatch reports whether body is a JSON array: a JSON-RPC batch, which
// MCP no longer has (2025-06-18 removed it) and mcp-go does not serve.
func isBatch(body []byte) bool {
	i := jsonscan.SkipSpace(body, 0)
	return i < len(body) && body[i] == '['
}

// headerMismatch finds a 2026-07-28 request whose Mcp-Method or Mcp-Name
// header names another method, tool or URI than its body. mcp-go refuses
// it too, but with an error quoting both values, and a caller can put
// anything there, a secret too (see tools/unknown.go); the other failures
// of its header check quote nothing the caller chose, and are left to it.
func headerMismatch(h http.Header, body []byte) (id json.RawMessage, header string, ok bool) {
	headerMethod := h.Get(mcp.HeaderMethod)
	if headerMethod == "" || h.Get(mcp.HeaderProtocolVersion) == "" {
		return nil, "", false // older clients send neither: nothing to parse
	}
	var m struct {
		ID     json.RawMessage `json:"id"`
		Method mcp.MCPMethod   `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	var p struct {
		Meta *mcp.Meta `json:"_meta"`
	}
	if json.Unmarshal(body, &m) != nil || json.Unmarshal(m.Params, &p) != nil {
		return nil, "", false
	}
	// mcp-go checks the headers of the version the body declares.
	if !mcp.RequiresStandardHeaders(p.Meta.ProtocolVersion()) {
		return nil, "", false
	}
	if m.ID == nil {
		m.ID = json.RawMessage("null")
	}
	if headerMethod != string(m.Method) {
		return m.ID, mcp.HeaderMethod, true
	}
	if !mcp.MethodRequiresNameHeader(m.Method) {
		return nil, "", false
	}
	headerName, decoded := mcp.DecodeHeaderValue(h.Get(mcp.HeaderName))
	bodyName, found := mcp.ExtractHeaderName(m.Method, m.Params)
	if h.Get(mcp.HeaderName) != "" && decoded && found && headerName != bodyName {
		return m.ID, mcp.HeaderName, true
	}
	return nil, "", false
}
