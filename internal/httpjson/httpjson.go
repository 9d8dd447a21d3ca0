// Package httpjson writes the JSON answers the server gives itself (errors,
// health), in one shape for every endpoint: {"error": code, "message":
// what was wrong}, never cached.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Write answers status with v as JSON.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// ErrorBody is the body of every error answered this way.
type ErrorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// Error answers status with {"error": code, "message": message}.
func Error(w http.ResponseWriter, status int, code, message string) {
	Write(w, status, ErrorBody{Error: code, Message: message})
}
