package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/internal/jsonscan"
)

// StdioConfig is how ServeStdio reads its input.
type StdioConfig struct {
	// MaxLineBytes bounds one message, i.e. one line without its newline;
	// DefaultMaxBodyBytes if zero.
	MaxLineBytes int64
	// TooLongHint ends the error a longer line gets: how to raise the
	// limit, or what to send instead.
	TooLongHint string
	// Logger gets the transport's logs; nil discards them.
	Logger *slog.Logger
	// MaxConcurrent is how many tool calls run at once
	// (DefaultMaxConcurrentPerClient if zero, at most maxStdioWorkers). More
	// wait in mcp-go's queue of 100; past that, reading waits for a call to
	// end, which bounds what one client can make the server hold.
	MaxConcurrent int
	// DrainTimeout is how long the requests in flight when the input ends
	// may go on to their answers (mcp-go cancels them once it sees the
	// end); zero: none.
	DrainTimeout time.Duration
}

// maxStdioWorkers is mcp-go's bound on its stdio worker pool. Its default
// of five would let five calls that wait for the AI Agent's reply (up to a
// minute each) hold back every call behind them.
const maxStdioWorkers = 100

// stdioWorkers is the worker pool ServeStdio asks of mcp-go.
func stdioWorkers(n int) int {
	if n <= 0 {
		n = DefaultMaxConcurrentPerClient
	}
	return min(n, maxStdioWorkers)
}

// stdioChunk is how much of a line is read at once; a line that fits is
// handed on without a copy.
const stdioChunk = 64 << 10

// ServeStdio serves s over newline-delimited JSON-RPC on stdin and stdout,
// as mcp-go's stdio server does, with the HTTP transports' guards: a
// tools/call with a duplicate key or too deep arguments is refused by its
// tool (jsonscan.Check, which also keeps an unknown method's name out of the
// answer), and a line over the limit is discarded in chunks,
// never held whole, and answered with a JSON-RPC error. It returns nil when
// the input ends or ctx is cancelled.
func ServeStdio(ctx context.Context, s *mcpserver.MCPServer, cfg StdioConfig, stdin io.Reader, stdout io.Writer) error {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	max := cfg.MaxLineBytes
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	answers := &unanswered{}
	out := &lockedWriter{w: stdout, answered: answers}
	in := &lineGuard{src: bufio.NewReaderSize(stdin, stdioChunk), max: max, out: out, hint: cfg.TooLongHint, logger: logger,
		ctx: ctx, answers: answers, drain: cfg.DrainTimeout}
	stdio := mcpserver.NewStdioServer(s)
	stdio.SetErrorLogger(log.New(slogWriter{logger}, "", 0))
	mcpserver.WithWorkerPoolSize(stdioWorkers(cfg.MaxConcurrent))(stdio)
	err := stdio.Listen(ctx, in, out)
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// lockedWriter makes each Write whole. mcp-go writes every message with a
// single Write (its responses under a lock of its own, its requests to the
// client without it); the line guard's errors come through here too, so no
// two messages interleave on stdout.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
	// answered, if set, is told of each answer to a client's request.
	answered *unanswered
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	n, err := l.w.Write(p)
	l.mu.Unlock()
	if l.answered != nil {
		if id, ok := answerID(p); ok {
			l.answered.answer(id)
		}
	}
	return n, err
}

// writeOwn writes a message of the transport's own (an oversized line's
// error), which answers no request the tracker saw.
func (l *lockedWriter) writeOwn(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// answerID returns the id of a response (mcp-go writes "jsonrpc", then
// "id", then "result" or "error"); ok is false for a request or
// notification of the server's.
func answerID(p []byte) (id []byte, ok bool) {
	const head = `{"jsonrpc":"2.0","id":`
	if !bytes.HasPrefix(p, []byte(head)) {
		return nil, false
	}
	i := jsonscan.SkipValue(p, len(head))
	if i < 0 {
		return nil, false
	}
	rest := p[i:]
	if !bytes.HasPrefix(rest, []byte(`,"result"`)) && !bytes.HasPrefix(rest, []byte(`,"error"`)) {
		return nil, false
	}
	return p[len(head):i], true
}

// unanswered tracks the client's requests not yet answered, by id, so that
// the end of the input can wait for them: an answer counts for its own
// request only, once (not a parse error's answer to id null, nor a second
// answer). It costs a lock and a map operation a message, and no
// allocation for an id of up to idKeyLen bytes once the map has grown; a
// channel is made only while the end of the input waits.
type unanswered struct {
	mu    sync.Mutex
	short map[idKey]int  // requests in flight per id
	long  map[string]int // ids longer than an idKey holds
	n     int            // all requests in flight
	// changed, while the end of the input waits, is closed (and dropped)
	// when a request is answered.
	changed chan struct{}
}

// idKeyLen holds the ids clients use (numbers, UUIDs quoted) inline.
const idKeyLen = 46

type idKey struct {
	n uint8
	b [idKeyLen]byte
}

// request notes a request with the id raw, as the client wrote it.
func (u *unanswered) request(raw []byte) {
	id, ok := canonicalID(raw)
	if !ok {
		return // answered to id null, if at all
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if k, short := shortKey(id); short {
		if u.short == nil {
			u.short = make(map[idKey]int)
		}
		u.short[k]++
	} else {
		if u.long == nil {
			u.long = make(map[string]int)
		}
		u.long[string(id)]++
	}
	u.n++
}

// answer notes an answer to id, as mcp-go writes it (canonicalID's form).
func (u *unanswered) answer(id []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if k, short := shortKey(id); short {
		if !take(u.short, k) {
			return
		}
	} else if !take(u.long, string(id)) {
		return
	}
	u.n--
	if u.changed != nil {
		close(u.changed)
		u.changed = nil
	}
}

// take removes one request in flight under k, if there is one.
func take[K comparable](m map[K]int, k K) bool {
	c, ok := m[k]
	switch {
	case !ok:
		return false
	case c == 1:
		delete(m, k)
	default:
		m[k] = c - 1
	}
	return true
}

func shortKey(id []byte) (idKey, bool) {
	var k idKey
	if len(id) > idKeyLen {
		return k, false
	}
	k.n = uint8(len(id))
	copy(k.b[:], id)
	return k, true
}

// canonicalID returns the id raw as mcp-go writes it in its answer:
// decoded into an any (numbers become float64) and encoded again by
// encoding/json. The common ids, a short integer or a string of plain
// ASCII, are already in that form and are neither decoded nor copied.
func canonicalID(raw []byte) ([]byte, bool) {
	if plainID(raw) {
		return raw, true
	}
	var v any
	if json.Unmarshal(raw, &v) != nil || v == nil {
		return nil, false
	}
	b, err := json.Marshal(v)
	return b, err == nil
}

// plainID reports whether raw is an integer of up to 15 digits (exact as
// a float64, without a leading zero) or a string of printable ASCII that
// encoding/json writes as it is (no escape, no '<', '>' or '&').
func plainID(raw []byte) bool {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		for _, c := range raw[1 : len(raw)-1] {
			if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
		}
		return true
	}
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 15 || digits[0] == '0' && len(digits) > 1 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// wait returns once every request is answered, or timeout has passed,
// or ctx ends.
func (u *unanswered) wait(ctx context.Context, timeout time.Duration) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		u.mu.Lock()
		if u.n == 0 {
			u.mu.Unlock()
			return
		}
		if u.changed == nil {
			u.changed = make(chan struct{})
		}
		changed := u.changed
		u.mu.Unlock()
		select {
		case <-changed:
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// lineGuard is the input mcp-go's stdio server reads: line by line, each
// checked by jsonscan.Check and handed on as it came (rewritten only to be
// refused), or, over the limit, dropped and answered. It runs on the
// reader's own goroutine: nothing is started per message.
type lineGuard struct {
	src     *bufio.Reader
	max     int64
	out     *lockedWriter
	hint    string
	logger  *slog.Logger
	line    []byte // a line longer than one chunk, gathered
	pending []byte // what Read hands out next
	err     error  // returned once pending is drained
	// At the end of the input, Read waits up to drain (unless ctx ends)
	// for the requests in answers to be answered before it says so:
	// mcp-go cancels whatever is in flight once it reads the end.
	ctx     context.Context
	answers *unanswered
	drain   time.Duration
	drained bool
}

func (g *lineGuard) Read(p []byte) (int, error) {
	for len(g.pending) == 0 {
		if g.err != nil {
			if g.err == io.EOF && !g.drained && g.drain > 0 {
				g.drained = true
				g.answers.wait(g.ctx, g.drain)
			}
			return 0, g.err
		}
		g.pending, g.err = g.next()
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	return n, nil
}

// next reads one line. A line that fits in a chunk is returned as a slice
// of src's buffer, valid until src is read again, which Read does only once
// it has handed all of it on.
func (g *lineGuard) next() ([]byte, error) {
	g.line = g.line[:0]
	for {
		chunk, err := g.src.ReadSlice('\n')
		size := int64(len(g.line) + len(chunk))
		if err == nil {
			size-- // the newline
		}
		if size > g.max {
			return nil, g.refuseLong(chunk, err)
		}
		if err == bufio.ErrBufferFull {
			g.line = append(g.line, chunk...)
			continue
		}
		if len(g.line) > 0 {
			chunk = append(g.line, chunk...)
			g.line = chunk
		}
		return g.guard(chunk), err
	}
}

func (g *lineGuard) guard(line []byte) []byte {
	c := jsonscan.Check(line)
	if p := c.Problem; p != nil {
		g.logger.Debug("tool call refused before dispatch", "field", p.Field, "reason", p.Reason)
	}
	if c.ID != nil && inexactID(c.ID) {
		// Answered here, to the id as written; mcp-go never sees it.
		if _, err := g.out.writeOwn(append(idRefusal(c.ID), '\n')); err != nil {
			g.logger.Warn("writing a refusal failed", "error", err.Error())
		}
		return nil
	}
	if c.ID != nil && g.answers != nil {
		g.answers.request(c.ID)
	}
	return c.Msg
}

// refuseLong answers a line over the limit, of which g.line and chunk are
// the first bytes, and skips the rest of it up to its newline, a chunk at
// a time. It returns the error that ended the line, nil for a newline.
func (g *lineGuard) refuseLong(chunk []byte, err error) error {
	head := g.line
	if len(head) == 0 {
		head = chunk
	}
	id := json.RawMessage("null")
	if raw, ok := jsonscan.LeadingID(head[:min(len(head), stdioChunk)]); ok {
		id = append(json.RawMessage(nil), raw...)
	}
	skipped := int64(len(g.line) + len(chunk))
	g.line = g.line[:0]
	for err == bufio.ErrBufferFull {
		chunk, err = g.src.ReadSlice('\n')
		skipped += int64(len(chunk))
	}
	g.logger.Info("request rejected", "reason", "message too large", "transport", "stdio",
		"bytes", skipped, "max_bytes", g.max)
	msg := fmt.Sprintf("the message is over this server's limit of %d bytes and was discarded unread", g.max)
	if g.hint != "" {
		msg += "; " + g.hint
	}
	resp := rpcErrorJSON(id, mcp.INVALID_REQUEST, msg, map[string]int64{"max_bytes": g.max})
	if _, werr := g.out.writeOwn(append(resp, '\n')); werr != nil {
		return werr
	}
	return err
}

// slogWriter adapts mcp-go's *log.Logger output to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn("mcp transport", "detail", string(p))
	return len(p), nil
}
