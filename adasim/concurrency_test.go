package adasim_test

import (
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// TestConcurrentClients runs many clients at once (run it with -race): each upserts end users,
// chats in its own conversation while delayed replies land, and lists; afterwards every count
// adds up.
func TestConcurrentClients(t *testing.T) {
	var mu sync.Mutex
	eventCount := 0
	c := newSim(t, adasim.Options{Seed: 3, ReplyDelay: time.Millisecond, OnEvent: func(adasim.Event) {
		mu.Lock()
		eventCount++
		mu.Unlock()
	}})
	const clients, messagesEach = 8, 5
	var wg sync.WaitGroup
	convIDs := make([]string, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &client{t: goroutineTB{t}, base: c.base, key: c.key, sim: c.sim}
			// Everyone upserts the same external_id: exactly one 201.
			c.do("POST", "/v2/end-users/", object{"external_id": "shared"})
			u := c.createEndUser(object{"external_id": fmt.Sprint("client-", i), "profile": object{"first_name": fmt.Sprint("C", i)}})
			conv := c.startConversation(str(u["end_user_id"]))
			convIDs[i] = str(conv["id"])
			for j := range messagesEach {
				c.expect(http.StatusCreated, "POST", "/v2/conversations/"+convIDs[i]+"/messages/", object{
					"author": object{"id": u["end_user_id"], "role": "end_user"}, "content": object{"type": "text", "body": fmt.Sprint("message ", j)}})
				c.expect(http.StatusOK, "GET", "/v2/end-users/?limit=3", nil)
				c.expect(http.StatusOK, "PATCH", "/v2/conversations/"+convIDs[i]+"/", object{"metadata": object{fmt.Sprint("k", j): j}})
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	all := 0
	next := "/v2/end-users/?limit=5"
	for next != "" {
		page := c.expect(http.StatusOK, "GET", next, nil)
		all += len(page["data"].([]any))
		next, _ = page["meta"].(object)["next_page_url"].(string)
	}
	if all != clients+1 {
		t.Fatalf("%d end users, want %d (one per client plus one shared)", all, clients+1)
	}
	for _, id := range convIDs {
		// greeting + (message + reply) each
		waitFor(t, "every reply", func() bool { return len(c.messages(id)) == 1+2*messagesEach })
		if m := c.expect(http.StatusOK, "GET", "/v2/conversations/"+id+"/", nil)["metadata"].(object); len(m) != messagesEach {
			t.Fatalf("metadata %v, want %d keys", m, messagesEach)
		}
	}
	// end_user.created per end user; per conversation: created + greeting + 2 per message.
	want := (clients + 1) + clients*(2+2*messagesEach)
	waitFor(t, "every event", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return eventCount == want
	})
}

// goroutineTB lets the client helpers fail from a goroutine other than the test's: it marks
// the test failed and ends only the calling goroutine.
type goroutineTB struct{ testing.TB }

func (g goroutineTB) Fatalf(format string, args ...any) {
	g.Helper()
	g.Errorf(format, args...)
	runtime.Goexit()
}

func (g goroutineTB) Fatal(args ...any) {
	g.Helper()
	g.Error(args...)
	runtime.Goexit()
}
