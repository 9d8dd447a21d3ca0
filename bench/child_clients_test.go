package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The child-process benchmark's clients: a few lines of JSON-RPC over a
// pipe or net/http, decoding each answer once, so that what is timed is
// the server (as in raw_test.go, but many requests may share one pipe).

// lookupCall is the tools/call every case makes, with extra params fields
// (the 2026-07-28 _meta) if given.
func lookupCall(id int64, extra string) string {
	return `{"jsonrpc":"2.0","id":` + strconv.FormatInt(id, 10) +
		`,"method":"tools/call","params":{"name":"lookup_end_user","arguments":{"external_id":"cust-42"}` + extra + `}}`
}

const (
	initialize2025 = `"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"childbench","version":"1"}}}`
	initialized    = `{"jsonrpc":"2.0","method":"notifications/initialized"}`
	// meta2026 is what protocol 2026-07-28 wants in every request's params
	// in place of the initialize handshake (mcp-go: mcp/meta.go).
	meta2026 = `,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",` +
		`"io.modelcontextprotocol/clientInfo":{"name":"childbench","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
)

// adaEndUserID is the fake Ada's end user: a probe call checks the tool
// result carries it, so a found:false or an error page is not benchmarked.
const adaEndUserID = "5f7e0e2c1e7c7e000f0f9c3a"

// stdioMux is a JSON-RPC client on a child's stdin and stdout that lets
// many requests be in flight at once, matched by id: the concurrent
// clients of the stdio case share the one pipe, as a host's parallel tool
// calls do.
type stdioMux struct {
	wmu sync.Mutex
	w   io.Writer

	mu      sync.Mutex
	pending map[int64]chan *reply
	err     error // why reading stopped
	next    atomic.Int64
}

func newStdioMux(w io.Writer, r io.Reader) *stdioMux {
	m := &stdioMux{w: w, pending: map[int64]chan *reply{}}
	go m.read(r)
	return m
}

// call sends the request req(id) and waits for its answer.
func (m *stdioMux) call(req func(id int64) string) (*reply, error) {
	id := m.next.Add(1)
	ch := make(chan *reply, 1)
	m.mu.Lock()
	if m.err != nil {
		m.mu.Unlock()
		return nil, m.err
	}
	m.pending[id] = ch
	m.mu.Unlock()
	if err := m.send(req(id)); err != nil {
		return nil, err
	}
	r, ok := <-ch
	if !ok {
		return nil, m.readErr()
	}
	return r, nil
}

func (m *stdioMux) send(line string) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	_, err := io.WriteString(m.w, line+"\n")
	return err
}

func (m *stdioMux) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			m.fail(fmt.Errorf("reading the server's stdout: %w", err))
			return
		}
		var msg reply
		if err := json.Unmarshal(line, &msg); err != nil {
			m.fail(fmt.Errorf("the server wrote %.200q: %w", line, err))
			return
		}
		id, err := strconv.ParseInt(string(msg.ID), 10, 64)
		if err != nil {
			continue // a notification
		}
		m.mu.Lock()
		ch := m.pending[id]
		delete(m.pending, id)
		m.mu.Unlock()
		if ch != nil {
			msg.line = line
			ch <- &msg
		}
	}
}

func (m *stdioMux) fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
	for id, ch := range m.pending {
		close(ch)
		delete(m.pending, id)
	}
}

func (m *stdioMux) readErr() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// initialize opens the session, protocol 2025-11-25.
func (m *stdioMux) initialize() error {
	r, err := m.call(func(id int64) string {
		return `{"jsonrpc":"2.0","id":` + strconv.FormatInt(id, 10) + `,` + initialize2025
	})
	if err != nil {
		return err
	}
	if r.Result == nil {
		return fmt.Errorf("initialize: %.300s", r.line)
	}
	return m.send(initialized)
}

func toolsListCall(id int64) string {
	return `{"jsonrpc":"2.0","id":` + strconv.FormatInt(id, 10) + `,"method":"tools/list"}`
}

// countTools counts the tools in a tools/list answer.
func countTools(r *reply) (int, error) {
	var list struct {
		Result *struct {
			Tools []json.RawMessage `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(r.line, &list); err != nil || list.Result == nil || len(list.Result.Tools) == 0 {
		return 0, fmt.Errorf("tools/list: %v %.300s", err, r.line)
	}
	return len(list.Result.Tools), nil
}

// httpMCP is a minimal Streamable HTTP client of one child.
type httpMCP struct {
	client *http.Client
	url    string
	ids    atomic.Int64
}

// newHTTPClient keeps a connection per concurrent client alive, as a host
// with that many parallel calls would.
func newHTTPClient(clients int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(clients, 2) + 8
	return &http.Client{Transport: t, Timeout: time.Minute}
}

func (h *httpMCP) post(body string, headers map[string]string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, h.url, strings.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+authToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode/100 != 2 {
		err = fmt.Errorf("POST %s: %d %.300s", h.url, resp.StatusCode, b)
	}
	return resp, b, err
}

// session opens a 2025-11-25 session: initialize, then the initialized
// notification with the Mcp-Session-Id it gave. It returns the headers of
// the session's requests.
func (h *httpMCP) session() (map[string]string, error) {
	resp, _, err := h.post(`{"jsonrpc":"2.0","id":0,`+initialize2025, nil)
	if err != nil {
		return nil, err
	}
	sid := resp.Header.Get("Mcp-Session-Id")
	if sid == "" {
		return nil, errors.New("initialize: no Mcp-Session-Id")
	}
	hdr := map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"}
	if _, _, err := h.post(initialized, hdr); err != nil {
		return nil, err
	}
	return hdr, nil
}

// headers2026 go with every 2026-07-28 request: the version, and the
// method and tool mirrored from the body, which that version requires.
var headers2026 = map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "lookup_end_user"}

// call makes one lookup_end_user call: in a session if headers hold one,
// else as a stateless 2026-07-28 request (extra = meta2026).
func (h *httpMCP) call(headers map[string]string, extra string) (*reply, error) {
	_, b, err := h.post(lookupCall(h.ids.Add(1), extra), headers)
	if err != nil {
		return nil, err
	}
	r := &reply{line: b}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("tools/call answered %.300q: %w", b, err)
	}
	return r, nil
}

// childCaller is one client: each call is one lookup_end_user tools/call.
type childCaller func() (*reply, error)

// callers returns n clients of c over transport: over stdio they share
// the pipe; over HTTP each has its own session (2025-11-25) or none
// (2026-07-28).
func (c *child) callers(h *httpMCP, transport string, n int) ([]childCaller, error) {
	out := make([]childCaller, n)
	for i := range out {
		switch transport {
		case tStdio:
			out[i] = func() (*reply, error) { return c.stdio.call(func(id int64) string { return lookupCall(id, "") }) }
		case tSession:
			hdr, err := h.session()
			if err != nil {
				return nil, err
			}
			out[i] = func() (*reply, error) { return h.call(hdr, "") }
		case tStateless:
			out[i] = func() (*reply, error) { return h.call(headers2026, meta2026) }
		default:
			return nil, fmt.Errorf("unknown transport %q", transport)
		}
	}
	return out, nil
}

// coldStart execs s over stdio and times it to its first tools/list
// answer (initialize and tools/list in between); it returns the time and
// how many tools were listed.
func coldStart(s serverSpec, ada *fakeAda) (time.Duration, int, error) {
	cmd := exec.Command(s.bin, append([]string{"--transport", "stdio"}, s.flags("stdio")...)...)
	cmd.Env = childEnv(ada)
	inR, inW, err := os.Pipe()
	if err != nil {
		return 0, 0, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return 0, 0, err
	}
	defer outR.Close()
	cmd.Stdin, cmd.Stdout = inR, outW
	start := time.Now()
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		return 0, 0, err
	}
	defer func() {
		inW.Close()
		stopWithin(cmd, nil, 10*time.Second)
	}()
	m := newStdioMux(inW, outR)
	if err := m.initialize(); err != nil {
		return 0, 0, err
	}
	r, err := m.call(toolsListCall)
	if err != nil {
		return 0, 0, err
	}
	took := time.Since(start) // before the client decodes the list
	n, err := countTools(r)
	return took, n, err
}
