package server

import (
	"encoding/json"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// sessionlessCancels answers 202 to a notifications/cancelled sent
// without a session (a 2026-07-28 client) and hands it to nothing. mcp-go
// keys the cancellation of a request without a session by its id alone,
// so any other client (another token, another tenant) could cancel a call
// by naming its id, and clients number their requests from 1. A stateless
// call is cancelled by dropping its POST, which ends its context. This
// also spares go-sdk clients, which send the notification without _meta,
// the 400 mcp-go answers it with, on which they close their session.
func sessionlessCancels(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get(mcpserver.HeaderKeySessionID) == "" && isCancellation(r) {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isCancellation reports whether r's body is a notifications/cancelled:
// by the Mcp-Method header when there is one (the guard has refused a
// body that says otherwise), else by the body.
func isCancellation(r *http.Request) bool {
	if m := r.Header.Get(mcp.HeaderMethod); m != "" {
		return m == string(mcp.MethodNotificationCancelled)
	}
	b, ok := r.Body.(*bufferedBody)
	if !ok {
		return false
	}
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	return json.Unmarshal(b.data, &msg) == nil && msg.ID == nil && msg.Method == string(mcp.MethodNotificationCancelled)
}
