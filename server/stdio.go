package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"sync"

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
	out := &lockedWriter{w: stdout}
	in := &lineGuard{src: bufio.NewReaderSize(stdin, stdioChunk), max: max, out: out, hint: cfg.TooLongHint, logger: logger}
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
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// lineGuard is the input mcp-go's stdio server reads: line by line, each
// checked by jsonscan.Check and handed on as it came (rewritten only to be
// refused), or, over the limit, dropped and answered. It runs on the
// reader's own goroutine: nothing is started per message.
type lineGuard struct {
	src     *bufio.Reader
	max     int64
	out     io.Writer
	hint    string
	logger  *slog.Logger
	line    []byte // a line longer than one chunk, gathered
	pending []byte // what Read hands out next
	err     error  // returned once pending is drained
}

func (g *lineGuard) Read(p []byte) (int, error) {
	for len(g.pending) == 0 {
		if g.err != nil {
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
	resp, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   rpcError        `json:"error"`
	}{mcp.JSONRPC_VERSION, id, rpcError{Code: mcp.INVALID_REQUEST, Message: msg, Data: map[string]int64{"max_bytes": g.max}}})
	if _, werr := g.out.Write(append(resp, '\n')); werr != nil {
		return werr
	}
	return err
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

// slogWriter adapts mcp-go's *log.Logger output to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn("mcp transport", "detail", string(p))
	return len(p), nil
}
