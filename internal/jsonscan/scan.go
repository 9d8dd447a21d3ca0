// Package jsonscan reads a JSON-RPC message as bytes, before anything
// decodes it, for what Go's JSON decoder accepts without a word: a key
// given twice in one object (the last one silently wins, where another
// reader may take the first), arguments nested without end, and arguments
// of so many small values that decoding them costs far more than their
// bytes. Guard finds such a problem in a tools/call and rewrites the call
// so that the tool refuses it, naming the key; every other message passes
// untouched.
//
// The scan is one pass over the bytes, iterative (a deep input cannot
// exhaust the stack), and allocates nothing for an ordinary message.
package jsonscan

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply a tools/call's arguments may nest: the arguments
// object is level 1, an object or array inside it level 2, and so on.
const MaxDepth = 32

// MaxValues bounds the JSON values a tools/call's arguments hold (every
// object, array, string, number, boolean and null inside them). Decoding
// and validating a value costs the server hundreds of bytes, however few it
// takes in the request ({} is two), so the count, not the size, bounds
// what a call may cost.
const MaxValues = 20000

// TooDeep is the reason given for arguments nested deeper than MaxDepth.
var TooDeep = "is nested deeper than " + strconv.Itoa(MaxDepth) +
	" levels (objects and arrays, the arguments object being the first); send a flatter value"

var tooMany = "hold more than " + strconv.Itoa(MaxValues) +
	" values (objects, arrays, strings, numbers...); send fewer items per call"

// maxNesting is encoding/json's own limit: a deeper value is not JSON to
// Go, so it is not JSON here either.
const maxNesting = 10000

// smallObject is how many keys an object keeps in a list before the
// duplicate check switches to a map (a list is faster while short).
const smallObject = 16

// Problem is why a tools/call is refused: where, and what is wrong.
type Problem struct {
	// Field is the path of the offending key or value: in the arguments
	// ("profile.first_name", "items.3"), or in the request itself when
	// it starts with "params" or is a top-level key ("id").
	Field string `json:"field"`
	// Reason says what is wrong and what to do.
	Reason string `json:"reason"`
}

var errSyntax = errors.New("jsonscan: not valid JSON")

// role is what a container is to the scan.
type role uint8

const (
	roleOther  role = iota // only checked to be JSON
	roleTop                // the message object
	roleParams             // a params object of the message
	roleArgs               // a tools/call's arguments, or a value inside them
)

// keyKind names the envelope keys the scan acts on.
type keyKind uint8

const (
	keyOther keyKind = iota
	keyMethod
	keyParams
	keyArguments
	keyMeta
	keyID
	keyResult
)

// keyRef is a decoded key: a slice of the message, or of the arena when
// decoding changed it.
type keyRef struct {
	off, n int
	arena  bool
}

type frame struct {
	open  int // offset of '{' or '['
	array bool
	role  role
	depth int // within the arguments: 1 for the arguments value itself
	count int // keys seen, or the index of the current item
	// key is the current member's key (decoded; folded in the envelope),
	// and name the same key as written, for paths.
	key, name keyRef
	kind      keyKind
	keysFrom  int                 // this object's keys start here in scanner.keys
	arenaFrom int                 // the arena is cut back here when it closes
	set       map[string]struct{} // this object's keys, once it has many
	sawMeta   bool                // a params object with a _meta member
}

// edit is one change to the message that refuses a tools/call.
type edit struct {
	kind       editKind
	start, end int // bytes replaced (start == end: an insertion)
	comma      bool
}

type editKind uint8

const (
	editEmptyArgs    editKind = iota // arguments → {}
	editAddToMeta                    // insert our key before _meta's '}'
	editReplaceMeta                  // a _meta that is no object → {ours}
	editAddMeta                      // a params object without _meta gains one
	editReplaceParam                 // a params that is no object → {"_meta":{ours}}
	editAddParams                    // a message without params gains one
)

type scanner struct {
	data  []byte
	stack []frame
	keys  []keyRef
	arena []byte
	edits []edit

	toolCall bool
	// method is the span of a string method of the message, quotes
	// included (methodEnd 0: none); request says it has an id.
	methodStart, methodEnd int
	request                bool
	idStart, idEnd         int // the span of the last top-level "id"'s value
	// result: a top-level "result" that is not null. mcp-go takes such a
	// message for an answer, whatever else it holds, and answers nothing.
	result    bool
	sawParams bool
	values    int // inside the arguments
	found     bool
	problem   Problem
}

var scanners = sync.Pool{New: func() any { return new(scanner) }}

func getScanner(data []byte) *scanner {
	s := scanners.Get().(*scanner)
	s.data = data
	return s
}

func (s *scanner) release() {
	// Big buffers from an unusual message are not kept for every later one.
	if cap(s.arena) > 64<<10 || cap(s.stack) > 1024 || cap(s.keys) > 4096 {
		*s = scanner{}
	} else {
		clear(s.stack[:cap(s.stack)]) // drop the maps
		*s = scanner{stack: s.stack[:0], keys: s.keys[:0], arena: s.arena[:0], edits: s.edits[:0]}
	}
	scanners.Put(s)
}

// scan checks that data begins with one JSON value and returns where it
// ends; what follows is not looked at (see Guard). Along the way it notes
// whether the value is a tools/call, the first problem, and the edits
// that would refuse the call.
func (s *scanner) scan() (int, error) {
	d := s.data
	const (
		stValue = iota // a value starts at i
		stKey          // a key starts at i
		stAfter        // a value ended at i
	)
	i := SkipSpace(d, 0)
	state := stValue
	var done closed // the container that just closed, for stAfter
	var start int   // where the value that just ended began
	var isContainer bool
	for {
		switch state {
		case stValue:
			if i >= len(d) {
				return 0, errSyntax
			}
			start, isContainer = i, false
			if n := len(s.stack); n > 0 && s.stack[n-1].role == roleArgs && !s.found {
				if s.values++; s.values > MaxValues {
					s.report("arguments", tooMany)
				}
			}
			switch c := d[i]; c {
			case '{', '[':
				if len(s.stack) >= maxNesting {
					return 0, errSyntax
				}
				s.push(i, c == '[')
				i = SkipSpace(d, i+1)
				if i >= len(d) {
					return 0, errSyntax
				}
				switch {
				case c == '{' && d[i] == '}', c == '[' && d[i] == ']':
					i++
					done, isContainer, state = s.pop(), true, stAfter
				case c == '{':
					state = stKey
				}
				continue
			case '"':
				end, err := ScanString(d, i)
				if err != nil {
					return 0, err
				}
				i = end
			case 't':
				if !bytes.HasPrefix(d[i:], []byte("true")) {
					return 0, errSyntax
				}
				i += 4
			case 'f':
				if !bytes.HasPrefix(d[i:], []byte("false")) {
					return 0, errSyntax
				}
				i += 5
			case 'n':
				if !bytes.HasPrefix(d[i:], []byte("null")) {
					return 0, errSyntax
				}
				i += 4
			default:
				end, err := ScanNumber(d, i)
				if err != nil {
					return 0, err
				}
				i = end
			}
			state = stAfter
		case stKey:
			if i >= len(d) || d[i] != '"' {
				return 0, errSyntax
			}
			end, err := ScanString(d, i)
			if err != nil {
				return 0, err
			}
			s.member(i+1, end-1)
			i = SkipSpace(d, end)
			if i >= len(d) || d[i] != ':' {
				return 0, errSyntax
			}
			i = SkipSpace(d, i+1)
			state = stValue
		case stAfter:
			if len(s.stack) == 0 {
				s.finish(start, isContainer, done)
				return i, nil
			}
			s.valueDone(start, i, isContainer, done)
			i = SkipSpace(d, i)
			if i >= len(d) {
				return 0, errSyntax
			}
			f := &s.stack[len(s.stack)-1]
			switch c := d[i]; {
			case c == ',':
				i = SkipSpace(d, i+1)
				if f.array {
					f.count++
					state = stValue
				} else {
					state = stKey
				}
			case c == ']' && f.array, c == '}' && !f.array:
				i++
				start, isContainer = f.open, true
				done = s.pop()
			default:
				return 0, errSyntax
			}
		}
	}
}

// push opens a container at offset at and decides its role from where it
// stands.
func (s *scanner) push(at int, array bool) {
	f := frame{open: at, array: array, keysFrom: len(s.keys), arenaFrom: len(s.arena)}
	if n := len(s.stack); n == 0 {
		if !array {
			f.role = roleTop
		}
	} else {
		p := &s.stack[n-1]
		switch {
		case p.role == roleTop && p.kind == keyParams && !array:
			f.role = roleParams
		case p.role == roleParams && p.kind == keyArguments && !s.found:
			f.role, f.depth = roleArgs, 1
		case p.role == roleArgs && !s.found:
			f.role, f.depth = roleArgs, p.depth+1
			if f.depth > MaxDepth {
				s.report(s.path(nil), TooDeep)
				f.role = roleOther
			}
		}
	}
	s.stack = append(s.stack, f)
}

// closed is what is left of a container once it closes.
type closed struct {
	array bool
	role  role
	count int
}

func (s *scanner) pop() closed {
	f := &s.stack[len(s.stack)-1]
	c := closed{array: f.array, role: f.role, count: f.count}
	s.keys = s.keys[:f.keysFrom]
	s.arena = s.arena[:f.arenaFrom]
	if f.role == roleParams && !f.sawMeta {
		s.edits = append(s.edits, edit{kind: editAddMeta, start: f.open + 1, end: f.open + 1, comma: f.count > 0})
	}
	f.set = nil
	s.stack = s.stack[:len(s.stack)-1]
	return c
}

// member handles the key d[from:to] (without quotes) of the innermost
// object.
func (s *scanner) member(from, to int) {
	f := &s.stack[len(s.stack)-1]
	f.count++
	switch f.role {
	case roleArgs:
		k := s.decode(from, to)
		f.key, f.name = k, k
		if !s.found && s.seen(f, k) {
			s.report(s.path(&k), "appears twice in the same object (a duplicate key: JSON readers disagree on which value wins); send the key once, with the value you mean")
		}
	case roleTop, roleParams:
		// Go matches these keys to struct fields regardless of case, so
		// "Params" and "params" are the same key to the server.
		f.name = s.decode(from, to)
		f.key = s.fold(f.name)
		f.kind = s.kindOf(f)
		if !s.found && s.seen(f, f.key) {
			field := segment(s.text(f.name))
			if f.role == roleParams {
				field = segment(s.text(s.stack[len(s.stack)-2].name)) + "." + field
			}
			s.report(clip(field), "appears twice in the tools/call request (these keys are matched regardless of case, so the server would keep only the last); send it once")
		}
	}
}

func (s *scanner) kindOf(f *frame) keyKind {
	k := s.bytesOf(f.key)
	switch f.role {
	case roleTop:
		switch string(k) {
		case "METHOD":
			return keyMethod
		case "PARAMS":
			return keyParams
		case "ID":
			return keyID
		case "RESULT":
			return keyResult
		}
	case roleParams:
		switch string(k) {
		case "ARGUMENTS":
			return keyArguments
		case "_META":
			return keyMeta
		}
	}
	return keyOther
}

// valueDone notes a value of the innermost container that spans
// d[start:end]; done is the value's own frame when it is a container.
func (s *scanner) valueDone(start, end int, isContainer bool, done closed) {
	p := &s.stack[len(s.stack)-1]
	isObject := isContainer && !done.array
	switch {
	case p.role == roleTop && p.kind == keyMethod:
		if !isContainer && s.data[start] == '"' {
			s.methodStart, s.methodEnd = start, end
			s.toolCall = s.isToolsCall(start, end)
		}
	case p.role == roleTop && p.kind == keyResult:
		s.result = s.data[start] != 'n'
	case p.role == roleTop && p.kind == keyID:
		s.request = s.data[start] != 'n' // null is no id
		s.idStart, s.idEnd = start, end
	case p.role == roleTop && p.kind == keyParams:
		s.sawParams = true
		if !isObject {
			s.edits = append(s.edits, edit{kind: editReplaceParam, start: start, end: end})
		}
	case p.role == roleParams && p.kind == keyArguments:
		s.edits = append(s.edits, edit{kind: editEmptyArgs, start: start, end: end})
	case p.role == roleParams && p.kind == keyMeta:
		p.sawMeta = true
		if isObject {
			s.edits = append(s.edits, edit{kind: editAddToMeta, start: end - 1, end: end - 1, comma: done.count > 0})
		} else {
			s.edits = append(s.edits, edit{kind: editReplaceMeta, start: start, end: end})
		}
	}
}

// finish notes the end of the message itself.
func (s *scanner) finish(start int, isContainer bool, done closed) {
	if isContainer && done.role == roleTop && !s.sawParams {
		s.edits = append(s.edits, edit{kind: editAddParams, start: start + 1, end: start + 1, comma: true})
	}
}

func (s *scanner) isToolsCall(start, end int) bool {
	raw := s.data[start+1 : end-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == "tools/call"
	}
	var buf [32]byte
	return string(AppendUnquoted(buf[:0], raw)) == "tools/call"
}

// seen reports whether the innermost object already has key k, and
// remembers k.
func (s *scanner) seen(f *frame, k keyRef) bool {
	kb := s.bytesOf(k)
	if f.set != nil {
		if _, dup := f.set[string(kb)]; dup {
			return true
		}
		f.set[string(kb)] = struct{}{}
		return false
	}
	keys := s.keys[f.keysFrom:]
	for _, r := range keys {
		if bytes.Equal(s.bytesOf(r), kb) {
			return true
		}
	}
	if len(keys) < smallObject {
		s.keys = append(s.keys, k)
		return false
	}
	f.set = make(map[string]struct{}, 2*smallObject)
	for _, r := range keys {
		f.set[string(s.bytesOf(r))] = struct{}{}
	}
	f.set[string(kb)] = struct{}{}
	return false
}

func (s *scanner) report(field, reason string) {
	s.found = true
	s.problem = Problem{Field: field, Reason: reason}
}

// path is where the innermost arguments container stands, plus last if
// given: keys and indexes from the arguments object down.
func (s *scanner) path(last *keyRef) string {
	var segs []string
	for i := range s.stack {
		f := &s.stack[i]
		if f.role != roleArgs || (last != nil && i == len(s.stack)-1) {
			continue
		}
		if f.array {
			segs = append(segs, strconv.Itoa(f.count))
		} else {
			segs = append(segs, segment(s.text(f.key)))
		}
	}
	if last != nil {
		segs = append(segs, segment(s.text(*last)))
	}
	if len(segs) == 0 {
		return "arguments"
	}
	return clip(strings.Join(segs, "."))
}

// segment is a key as a path shows it: the empty key as "".
func segment(k string) string {
	if k == "" {
		return `""`
	}
	return k
}

// clip bounds a path quoted in a message: the assistant wrote it, so its
// head and tail are enough.
func clip(p string) string {
	const max = 200
	if len(p) <= max {
		return p
	}
	head, tail := p[:max/2], p[len(p)-max/2:]
	for len(head) > 0 && !utf8.ValidString(head) {
		head = head[:len(head)-1]
	}
	for len(tail) > 0 && !utf8.ValidString(tail) {
		tail = tail[1:]
	}
	return head + "…" + tail
}

func (s *scanner) bytesOf(k keyRef) []byte {
	if k.arena {
		return s.arena[k.off : k.off+k.n]
	}
	return s.data[k.off : k.off+k.n]
}

func (s *scanner) text(k keyRef) string { return string(s.bytesOf(k)) }

// decode returns the key d[from:to] as Go decodes it: a slice of the
// message when it has no escape and no byte outside ASCII, else decoded
// into the arena.
func (s *scanner) decode(from, to int) keyRef {
	raw := s.data[from:to]
	plain := true
	for _, c := range raw {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return keyRef{off: from, n: to - from}
	}
	off := len(s.arena)
	s.arena = AppendUnquoted(s.arena, raw)
	return keyRef{off: off, n: len(s.arena) - off, arena: true}
}

// fold returns k folded as encoding/json folds names to match struct
// fields: ASCII upper case, and every other rune the smallest of its
// case-folding orbit, so that equal folds are exactly bytes.EqualFold.
func (s *scanner) fold(k keyRef) keyRef {
	off := len(s.arena)
	// k may live in the arena: append from a stable copy of its bounds.
	for i := 0; i < k.n; {
		src := s.bytesOf(k)
		c := src[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			s.arena = append(s.arena, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		s.arena = utf8.AppendRune(s.arena, foldRune(r))
		i += n
	}
	return keyRef{off: off, n: len(s.arena) - off, arena: true}
}

func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// The lexical helpers below are exported for internal/argcheck, which
// reads tool arguments the same way: one lexer for both.

// SkipSpace returns the offset of the first byte at or after i that is
// not JSON whitespace.
func SkipSpace(d []byte, i int) int {
	for i < len(d) {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// ScanString checks the string starting at d[i] ('"') and returns the
// offset just past its closing quote.
func ScanString(d []byte, i int) (int, error) {
	for j := i + 1; j < len(d); {
		switch c := d[j]; {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			if j+1 >= len(d) {
				return 0, errSyntax
			}
			switch d[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(d) || hex4(d[j+2:j+6]) < 0 {
					return 0, errSyntax
				}
				j += 6
			default:
				return 0, errSyntax
			}
		case c < 0x20:
			return 0, errSyntax
		default:
			j++
		}
	}
	return 0, errSyntax
}

// ScanNumber checks the number starting at d[i] and returns the offset
// just past it: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func ScanNumber(d []byte, i int) (int, error) {
	digits := func(j int) int {
		for j < len(d) && '0' <= d[j] && d[j] <= '9' {
			j++
		}
		return j
	}
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = digits(i + 1)
	default:
		return 0, errSyntax
	}
	if i < len(d) && d[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, errSyntax
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, errSyntax
		}
		i = j
	}
	return i, nil
}

func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// AppendUnquoted appends the string whose JSON text (between the quotes,
// already checked) is raw, decoded exactly as encoding/json decodes it:
// an invalid surrogate or an invalid UTF-8 byte becomes U+FFFD.
func AppendUnquoted(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			switch e := raw[i+1]; e {
			case 'u':
				r := hex4(raw[i+2:])
				i += 6
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
						r2 = hex4(raw[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
						dst = utf8.AppendRune(dst, dec)
						i += 6
						continue
					}
					r = unicode.ReplacementChar
				}
				dst = utf8.AppendRune(dst, r)
				continue
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			default: // '"', '\\', '/'
				c = e
			}
			dst = append(dst, c)
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:])
			dst = utf8.AppendRune(dst, r)
			i += n
		}
	}
	return dst
}
