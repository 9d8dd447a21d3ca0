package adasim_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// get sends an authenticated GET with a bounded client.
func get(t testing.TB, hc *http.Client, url string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func TestListen(t *testing.T) {
	sim := adasim.New(adasim.Options{APIKey: testKey, ReplyDelay: time.Hour})
	srv, err := adasim.Listen("", sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	hc := &http.Client{Timeout: 5 * time.Second}

	addr, ok := srv.Addr().(*net.TCPAddr)
	if !ok || !addr.IP.IsLoopback() || addr.Port == 0 {
		t.Fatalf("Addr %v", srv.Addr())
	}
	if want := "http://127.0.0.1:" + strconv.Itoa(addr.Port); srv.URL != want || srv.BaseURL != want+"/api" || srv.Sim != sim {
		t.Fatalf("URL %q, BaseURL %q", srv.URL, srv.BaseURL)
	}
	status, body, err := get(t, hc, srv.BaseURL+"/v2/channels/?type=custom")
	if err != nil || status != http.StatusOK || !strings.Contains(body, `"name":"Sandbox chat"`) {
		t.Fatalf("GET channels: %d %v %s", status, err, body)
	}
	if status, _, err := get(t, hc, srv.URL+"/_sandbox/state"); err != nil || status != http.StatusOK {
		t.Fatalf("GET /_sandbox/state: %d %v", status, err)
	}
	if other, err := adasim.Listen(srv.Addr().String(), sim); err == nil {
		_ = other.Close()
		t.Fatal("a second Listen on the same address succeeded")
	}

	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	hc.CloseIdleConnections()
	if _, _, err := get(t, hc, srv.BaseURL+"/v2/end-users/"); err == nil {
		t.Fatal("the server still answers after Close")
	}

	// Close closed the simulator too: the AI Agent's replies are stored at once, not after an hour.
	r := httptest.NewRequest("POST", "http://ada.test/api/v2/conversations/", strings.NewReader(`{"channel_id":"`+sim.DefaultChannelID()+`"}`))
	r.Header.Set("Authorization", "Bearer "+testKey)
	w := httptest.NewRecorder()
	sim.ServeHTTP(w, r)
	if w.Code != http.StatusCreated {
		t.Fatalf("create conversation: %d %s", w.Code, w.Body)
	}
	if state := sim.State(); len(state.Conversations[0].Messages) != 1 {
		t.Fatalf("messages %+v: the greeting waits, so Close did not close the simulator", state.Conversations[0].Messages)
	}
}

func TestListenErrors(t *testing.T) {
	if _, err := adasim.Listen("", nil); err == nil {
		t.Fatal("Listen without a simulator succeeded")
	}
	sim := adasim.New(adasim.Options{APIKey: testKey})
	defer sim.Close()
	if _, err := adasim.Listen("127.0.0.1:not-a-port", sim); err == nil {
		t.Fatal("Listen on a bad address succeeded")
	}
}

// BenchmarkListen is a sandbox start and stop: Open, Listen, one request, Close.
func BenchmarkListen(b *testing.B) {
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	b.ReportAllocs()
	for b.Loop() {
		sim, err := adasim.Open(adasim.Options{APIKey: testKey})
		if err != nil {
			b.Fatal(err)
		}
		srv, err := adasim.Listen("", sim)
		if err != nil {
			b.Fatal(err)
		}
		if status, _, err := get(b, hc, srv.BaseURL+"/v2/channels/?type=custom"); err != nil || status != http.StatusOK {
			b.Fatalf("GET: %d %v", status, err)
		}
		if err := srv.Close(); err != nil {
			b.Fatal(err)
		}
		hc.CloseIdleConnections()
	}
}
