package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The child processes of the child-process benchmark: the fake Ada and the
// two servers, started and stopped as an MCP host would.

// binaries are the benchmark's three programs, built from this module.
type binaries struct{ adaMCP, minimal, fakeAda string }

func buildChildren(t testing.TB, dir string) binaries {
	t.Helper()
	// One go build for all three: -o into a directory names each binary
	// after its package. Run from the module root (tests run in bench/).
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), ".", "./bench/minimal", "./bench/fakeada")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return binaries{filepath.Join(dir, "ada-mcp"), filepath.Join(dir, "minimal"), filepath.Join(dir, "fakeada")}
}

// fakeAda is bench/fakeada running as a child.
type fakeAda struct {
	base string // what the servers get as ADA_BASE_URL
	root string // for /_served
}

func startFakeAda(t testing.TB, bin, dir string) *fakeAda {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = []string{"FAKEADA_KEY=" + adaKey}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(dir, "fakeada.log")
	stderr, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := func() string { b, _ := os.ReadFile(logFile); return string(b) }
	t.Cleanup(func() {
		stdin.Close() // its signal to stop
		stopWithin(cmd, nil, 5*time.Second)
	})
	// It prints its URL once it listens.
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
	}()
	var got string
	select {
	case got = <-line:
		if !strings.HasSuffix(got, "\n") {
			t.Fatalf("fake Ada printed %q and stopped: %s", got, logs())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("fake Ada did not start within 10s: %s", logs())
	}
	base := strings.TrimSpace(got)
	return &fakeAda{base: base, root: strings.TrimSuffix(base, "/api")}
}

// served is how many end users the fake Ada has answered with.
func (f *fakeAda) served() (int64, error) {
	resp, err := http.Get(f.root + "/_served")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(b), 10, 64)
}

// serverSpec is one of the two servers under test.
type serverSpec struct {
	name string // ada-mcp or minimal
	bin  string
	// flags are the server's own flags beyond --transport, --addr and
	// --pprof, which both take alike.
	flags func(transport string) []string
}

func adaMCPSpec(bin string, clients int) serverSpec {
	return serverSpec{name: "ada-mcp", bin: bin, flags: func(transport string) []string {
		// Its defaults, but for two that would measure something else:
		// the rate budget (Ada's 30 requests/s) would make calls wait, and
		// the per-client limit (32 in flight) could answer 429 to a
		// client's next call while its last one is still being counted.
		f := []string{"--log-level", "info", "--rate-limits", "off"}
		if transport != "stdio" {
			f = append(f, "--max-concurrent-per-client", strconv.Itoa(max(64, 2*clients)))
		}
		return f
	}}
}

func minimalSpec(bin string) serverSpec {
	return serverSpec{name: "minimal", bin: bin, flags: func(string) []string { return nil }}
}

// child is one server process over one transport.
type child struct {
	cmd    *exec.Cmd
	stdio  *stdioMux // over stdio: its stdin and stdout
	stdin  io.Closer
	url    string // over HTTP: its /mcp endpoint
	pprof  string // host:port of its profiles, when asked for
	stderr string // the file its logs go to
	exited chan struct{}
}

// startChild starts s over transport ("stdio" or "http") against ada, and
// returns once it answers: over stdio after initialize, over HTTP once its
// port accepts connections. A port taken between our pick and its listen
// (other processes share the machine) is retried.
func startChild(s serverSpec, transport string, ada *fakeAda, dir string, profile bool) (*child, error) {
	var err error
	for try := 0; try < 3; try++ {
		var c *child
		if c, err = startChildOnce(s, transport, ada, dir, profile); err == nil {
			return c, nil
		}
	}
	return nil, err
}

func startChildOnce(s serverSpec, transport string, ada *fakeAda, dir string, profile bool) (*child, error) {
	args := append([]string{"--transport", transport}, s.flags(transport)...)
	env := childEnv(ada)
	c := &child{exited: make(chan struct{})}
	if transport != "stdio" {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		args = append(args, "--addr", addr)
		env = append(env, "ADA_MCP_AUTH_TOKEN="+authToken)
		c.url = "http://" + addr + "/mcp"
	}
	if profile {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		args = append(args, "--pprof", addr)
		c.pprof = addr
	}
	stderr, err := os.CreateTemp(dir, s.name+"-*.log")
	if err != nil {
		return nil, err
	}
	defer stderr.Close() // the child has its own copy
	c.stderr = stderr.Name()
	c.cmd = exec.Command(s.bin, args...)
	c.cmd.Env = env
	c.cmd.Stderr = stderr
	if transport == "stdio" {
		return c, c.startStdio()
	}
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = c.cmd.Wait(); close(c.exited) }()
	if err := c.awaitListening(strings.TrimSuffix(strings.TrimPrefix(c.url, "http://"), "/mcp")); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// startStdio starts the child on OS pipes (no copying goroutines: the
// child gets the files) and initializes a session.
func (c *child) startStdio() error {
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return err
	}
	c.cmd.Stdin, c.cmd.Stdout = inR, outW
	err = c.cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return err
	}
	go func() { _ = c.cmd.Wait(); outR.Close(); close(c.exited) }()
	c.stdin = inW
	c.stdio = newStdioMux(inW, outR)
	if err := c.stdio.initialize(); err != nil {
		c.stop()
		return fmt.Errorf("%s: %w\n%s", c.cmd.Path, err, c.logTail())
	}
	return nil
}

func (c *child) awaitListening(addr string) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("%s exited before listening on %s:\n%s", c.cmd.Path, addr, c.logTail())
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not listening on %s after 20s:\n%s", c.cmd.Path, addr, c.logTail())
		}
	}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// stop ends the child as a host would: EOF on stdin, or SIGINT over HTTP;
// killed if it lingers.
func (c *child) stop() {
	if c.stdin != nil {
		c.stdin.Close()
	} else {
		_ = c.cmd.Process.Signal(os.Interrupt)
	}
	stopWithin(c.cmd, c.exited, 10*time.Second)
}

// stopWithin waits for cmd to end (exited is closed by whoever waits on
// it; nil: wait here) and kills it after d.
func stopWithin(cmd *exec.Cmd, exited chan struct{}, d time.Duration) {
	if exited == nil {
		exited = make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
	}
	select {
	case <-exited:
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-exited
	}
}

func (c *child) logTail() string {
	b, _ := os.ReadFile(c.stderr)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// childEnv is the servers' whole environment: Ada's coordinates and the
// Go runtime's knobs if set, nothing else of ours (an ADA_MCP_* variable
// in the caller's shell would change what is measured).
func childEnv(ada *fakeAda) []string {
	env := []string{"ADA_API_KEY=" + adaKey, "ADA_BASE_URL=" + ada.base}
	for _, k := range []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// fetchProfile writes seconds of the child's CPU profile to file.
func fetchProfile(ctx context.Context, addr string, seconds int, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("pprof: %d %s", resp.StatusCode, b)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
