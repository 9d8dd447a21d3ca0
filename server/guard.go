package server

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"

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
			c := jsonscan.Check(body)
			if p := c.Problem; p != nil {
				logger.LogAttrs(r.Context(), slog.LevelDebug, "tool call refused before dispatch",
					slog.String("field", p.Field), slog.String("reason", p.Reason), slog.String("path", r.URL.Path))
			}
			if c.RenamedMethod && r.Header.Get("Mcp-Method") != "" {
				// The header must agree with the body, or the mismatch
				// error would repeat the name.
				r.Header.Set("Mcp-Method", jsonscan.UnknownMethod)
			}
			if c.Problem != nil || c.RenamedMethod {
				r.Body = newBufferedBody(c.Msg)
				r.ContentLength = int64(len(c.Msg))
			}
			next.ServeHTTP(w, r)
		})
	}
}
