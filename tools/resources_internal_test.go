package tools

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/adaclient"
)

type stubSession struct{ id string }

func (s stubSession) Initialize()                                         {}
func (s stubSession) Initialized() bool                                   { return true }
func (s stubSession) NotificationChannel() chan<- mcp.JSONRPCNotification { return nil }
func (s stubSession) SessionID() string                                   { return s.id }

// A conversation URI is watched (polled at Ada's expense) only when the
// server serves conversation resources: without the conversations
// toolset no template matches it, and a subscription to it is
// acknowledged but, like one to any other URI it does not serve, never
// watched.
func TestSubscriptionsWatchOnlyServedResources(t *testing.T) {
	client, err := adaclient.New("http://127.0.0.1:1/api", "k")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		toolset string
		watched int
	}{{toolsetEndUsers, 0}, {toolsetConversations, 1}} {
		r := newResources(&Deps{Client: client})
		r.register(server.NewMCPServer("t", "v", server.WithResourceCapabilities(true, false)), map[string]bool{c.toolset: true})
		r.subscribe(context.Background(), "ada://conversations/c1", subscriber{session: stubSession{"s1"}})
		r.mu.Lock()
		n := len(r.watches)
		r.mu.Unlock()
		r.drop(watchKey{uri: "ada://conversations/c1"})
		if n != c.watched {
			t.Errorf("toolset %s: %d conversations watched, want %d", c.toolset, n, c.watched)
		}
	}
}

// A resource URI's id is percent-decoded once: the client escapes it
// again for Ada's path, so "a%2Fb" reaches Ada as the id "a/b".
func TestResourceIDsArePercentDecoded(t *testing.T) {
	for uri, want := range map[string]string{
		"ada://end-users/5f7e0e2c": "5f7e0e2c",
		"ada://end-users/a%2Fb":    "a/b",
		"ada://end-users/x%20y":    "x y",
	} {
		if got, err := idFrom(uri, "ada://end-users/"); err != nil || got != want {
			t.Errorf("idFrom(%q) = %q, %v; want %q", uri, got, err, want)
		}
	}
	for _, uri := range []string{"ada://end-users/", "ada://end-users/a/b", "ada://end-users/%zz", "ada://end-users/a?b"} {
		if _, err := idFrom(uri, "ada://end-users/"); err == nil {
			t.Errorf("idFrom(%q): no error", uri)
		}
	}
}
