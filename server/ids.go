package server

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/mark3labs/mcp-go/mcp"
)

// maxExactID is the largest integer a float64 holds exactly (2^53).
const maxExactID = 1 << 53

// inexactID reports whether raw, a request's id as the client wrote it, is
// an integer that mcp-go cannot answer to: it decodes ids into float64, so
// an integer beyond 2^53 comes back as another number (or in exponent
// form) that the client cannot match to its request, and the client waits
// for an answer that never comes. Such a request is refused instead, to
// its own id (idRefusal).
func inexactID(raw []byte) bool {
	if len(raw) == 0 || raw[0] == '"' || bytes.ContainsAny(raw, ".eE") {
		return false // a string, or not an integer (not an MCP id either; mcp-go echoes it)
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return errors.Is(err, strconv.ErrRange) || err == nil && (n > maxExactID || n < -maxExactID)
}

// idRefusalMessage says why a request with an inexact id was refused.
const idRefusalMessage = "the request id is an integer beyond 2^53, which this server cannot echo exactly: use a smaller integer or a string"

// idRefusal is the JSON-RPC error answering a request whose id is inexact,
// with the id exactly as the client wrote it.
func idRefusal(id []byte) []byte {
	return rpcErrorJSON(id, mcp.INVALID_REQUEST, idRefusalMessage, nil)
}
