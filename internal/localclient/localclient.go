// Package localclient connects an MCP client to a server in the same
// process through the server's stdio transport on in-memory pipes: every
// request is JSON-RPC text, guarded, decoded, validated and answered
// exactly as for a host that started the binary, without a process. The
// tools CLI and the evaluation runner call tools through it.
package localclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	adaserver "github.com/ada-mcp/ada-mcp/server"
	"github.com/ada-mcp/ada-mcp/tools"
)

// maxLine bounds one message as --max-body-bytes does for a host, but the
// caller here is the user's own shell or scenario: a 50 MB file sent as
// content_base64 fits.
const maxLine = 128 << 20

// Session is an initialized client session.
type Session struct {
	*client.Client
	cancel context.CancelFunc
	done   chan struct{}
	pipes  []io.Closer
}

// Connect serves s on pipes and initializes a client session on them.
// Close ends both.
func Connect(ctx context.Context, s *server.MCPServer, clientName, clientVersion string) (*Session, error) {
	serveCtx, cancel := context.WithCancel(context.Background())
	toServerR, toServerW := io.Pipe()
	toClientR, toClientW := io.Pipe()
	sess := &Session{cancel: cancel, done: make(chan struct{}), pipes: []io.Closer{toServerR, toServerW, toClientR, toClientW}}
	go func() {
		defer close(sess.done)
		_ = adaserver.ServeStdio(serveCtx, s, adaserver.StdioConfig{MaxLineBytes: maxLine}, toServerR, toClientW)
		toClientW.Close()
	}()
	sess.Client = client.NewClient(transport.NewIO(toClientR, toServerW, io.NopCloser(eofReader{})))
	if err := sess.Start(ctx); err != nil {
		sess.Close()
		return nil, fmt.Errorf("starting the MCP client: %w", err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: clientName, Version: clientVersion}
	if _, err := sess.Initialize(ctx, init); err != nil {
		sess.Close()
		return nil, fmt.Errorf("initializing the MCP session: %w", err)
	}
	return sess, nil
}

// Close ends the session and waits (briefly) for the server side to stop.
// Closing the client's side first lets the server see the end of its input
// and close its output, so the client's reader stops at a clean EOF.
func (s *Session) Close() error {
	err := s.Client.Close()
	var timeout error
	select {
	case <-s.done:
		// Both writers are closed; the readers see EOF by themselves.
	case <-time.After(5 * time.Second):
		timeout = errors.New("localclient: the server did not stop within 5s")
		for _, p := range s.pipes {
			p.Close()
		}
	}
	s.cancel()
	return errors.Join(err, timeout)
}

// Call calls a tool by name. A protocol error (an unknown tool, say)
// is returned as err; a tool's own failure is a result with IsError.
func (s *Session) Call(ctx context.Context, name string, args any) (*mcp.CallToolResult, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return s.CallTool(ctx, req)
}

// Text joins a result's text blocks; a fenced result's text is the JSON
// inside the fence (for a shell or a report, where the note and tags
// addressed to a model are noise).
func Text(res *mcp.CallToolResult) string {
	out := ""
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			if out != "" {
				out += "\n"
			}
			out += tc.Text
		}
	}
	if doc, _, ok := tools.Unfence(out); ok {
		return doc
	}
	return out
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
