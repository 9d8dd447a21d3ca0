package jsonscan

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
)

// MetaKey is the params._meta key under which Guard leaves the problem of
// a refused tools/call for the tool to answer with. Only this server sets
// it: a client that sends it itself only gets its own call refused.
const MetaKey = "ada-mcp/refused"

// Guard inspects one JSON-RPC message. A tools/call with a problem (a key
// twice in one object, of the arguments or of the request around them;
// arguments nested deeper than MaxDepth or holding more than MaxValues
// values) comes back rewritten, with the
// problem: every arguments value replaced by {} and the problem put in
// params._meta under MetaKey, so the tool's handler refuses the call with
// an isError result that names the key, and nothing of the arguments
// reaches the tool. Any other message comes back as it is, the same slice.
//
// Only the first JSON value of msg is looked at: a reader of the whole
// message rejects what follows it, and one that reads the first value
// (legacy SSE) reads exactly what was checked. A message that is not JSON
// is left for the server to reject.
func Guard(msg []byte) ([]byte, *Problem) {
	s := getScanner(msg)
	defer s.release()
	if _, err := s.scan(); err != nil || !s.toolCall || !s.found {
		return msg, nil
	}
	p := s.problem
	return s.rewrite(&p), &p
}

// rewrite applies the edits that refuse the call with problem p.
func (s *scanner) rewrite(p *Problem) []byte {
	entry, _ := json.Marshal(map[string]*Problem{MetaKey: p}) // {"ada-mcp/refused":{...}}
	inner := entry[1 : len(entry)-1]                          // "ada-mcp/refused":{...}
	slices.SortFunc(s.edits, func(a, b edit) int { return a.start - b.start })
	out := make([]byte, 0, len(s.data)+len(s.edits)*(len(entry)+24))
	at := 0
	for _, e := range s.edits {
		out = append(out, s.data[at:e.start]...)
		switch e.kind {
		case editEmptyArgs:
			out = append(out, "{}"...)
		case editAddToMeta:
			if e.comma {
				out = append(out, ',')
			}
			out = append(out, inner...)
		case editReplaceMeta:
			out = append(out, entry...)
		case editAddMeta:
			out = append(out, `"_meta":`...)
			out = append(out, entry...)
			if e.comma {
				out = append(out, ',')
			}
		case editReplaceParam:
			out = append(out, `{"_meta":`...)
			out = append(out, entry...)
			out = append(out, '}')
		case editAddParams:
			out = append(out, `"params":{"_meta":`...)
			out = append(out, entry...)
			out = append(out, "},"...)
		}
		at = e.end
	}
	return append(out, s.data[at:]...)
}

// UnknownMethod replaces the name of a request method the server does not
// serve (Check): mcp-go's answer repeats the name ("Method X not found"),
// and a name is whatever the client put there, a key pasted by mistake
// included.
const UnknownMethod = "(a method this server does not serve)"

// servedMethods are the request methods mcp-go v1.2.1 dispatches
// (server/request_handler.go); it answers any other request with
// METHOD_NOT_FOUND. A test in the server package holds each of them served.
var servedMethods = map[string]bool{
	"initialize": true, "ping": true, "server/discover": true, "subscriptions/listen": true,
	"logging/setLevel": true, "resources/list": true, "resources/templates/list": true,
	"resources/read": true, "resources/subscribe": true, "resources/unsubscribe": true,
	"prompts/list": true, "prompts/get": true, "tools/list": true, "tools/call": true,
	"tasks/get": true, "tasks/list": true, "tasks/result": true, "tasks/cancel": true,
	"completion/complete": true,
}

// ServedMethods lists the request methods Check leaves as they are.
func ServedMethods() []string {
	out := make([]string, 0, len(servedMethods))
	for m := range servedMethods {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// Checked is what Check made of a message.
type Checked struct {
	// Msg is the message to hand on: the one given, or a rewritten copy.
	Msg []byte
	// Problem is why a tools/call is refused (Guard), if it is.
	Problem *Problem
	// RenamedMethod says an unknown method's name became UnknownMethod.
	RenamedMethod bool
	// ID is a request's id as written, a slice of the message given, when
	// the message is one whole JSON value (a reader of all of it, as
	// mcp-go's stdio is, rejects one followed by more, and answers that
	// to id null): set, the message will be answered to that id.
	ID []byte
}

// Check is Guard, and also replaces the method of a request (a message
// with an id) that the server does not serve by UnknownMethod, so that the
// error mcp-go answers with does not repeat it. Notifications and answers
// pass as they came: nothing is said back about them. It costs nothing
// more than Guard: the same one pass over the bytes.
func Check(msg []byte) Checked {
	s := getScanner(msg)
	defer s.release()
	end, err := s.scan()
	if err != nil {
		return Checked{Msg: msg}
	}
	var id []byte
	if s.request && !s.result && SkipSpace(msg, end) == len(msg) {
		id = msg[s.idStart:s.idEnd]
	}
	if s.toolCall && s.found {
		p := s.problem
		return Checked{Msg: s.rewrite(&p), Problem: &p, ID: id}
	}
	if s.methodEnd == 0 || !s.request {
		return Checked{Msg: msg}
	}
	raw := s.data[s.methodStart+1 : s.methodEnd-1]
	var buf [64]byte
	if bytes.IndexByte(raw, '\\') >= 0 {
		raw = AppendUnquoted(buf[:0], raw)
	}
	if servedMethods[string(raw)] {
		return Checked{Msg: msg, ID: id}
	}
	out := make([]byte, 0, len(msg)+len(UnknownMethod))
	out = append(out, msg[:s.methodStart]...)
	out = strconv.AppendQuote(out, UnknownMethod)
	return Checked{Msg: append(out, msg[s.methodEnd:]...), RenamedMethod: true, ID: id}
}

// Refused returns the problem Guard left in a call's _meta, if any. A
// value that is not Guard's (a client set the key itself) is still a
// refusal.
func Refused(meta map[string]any) (Problem, bool) {
	v, ok := meta[MetaKey]
	if !ok {
		return Problem{}, false
	}
	m, _ := v.(map[string]any)
	field, _ := m["field"].(string)
	reason, _ := m["reason"].(string)
	if field == "" || reason == "" {
		return Problem{Field: "_meta." + MetaKey, Reason: "is set only by this server, to refuse a call; do not send it"}, true
	}
	return Problem{Field: field, Reason: reason}, true
}
