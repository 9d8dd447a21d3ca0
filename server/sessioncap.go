package server

import (
	"sync"
	"time"
)

// maxLiveSessions bounds the older clients' sessions one replica keeps:
// mcp-go holds state for each (about 12 KB) until the client DELETEs it
// or it idles for sessionIdleTTL, so a client looping on initialize would
// otherwise grow memory without limit for half an hour.
const maxLiveSessions = 10000

// liveSessions counts the session ids seen recently, an upper bound on
// those mcp-go holds: an id is forgotten here when it ends or idles as
// long as mcp-go lets one idle.
type liveSessions struct {
	mu   sync.Mutex
	seen map[string]time.Time // id → its last request
	max  int
	now  func() time.Time
}

func newLiveSessions(max int) *liveSessions {
	if max <= 0 {
		max = maxLiveSessions
	}
	return &liveSessions{seen: map[string]time.Time{}, max: max, now: time.Now}
}

// room reports whether one more session may start.
func (l *liveSessions) room() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.roomLocked()
}

func (l *liveSessions) roomLocked() bool {
	if len(l.seen) < l.max {
		return true
	}
	cutoff := l.now().Add(-sessionIdleTTL)
	for id, at := range l.seen { // only when full: at most max entries
		if at.Before(cutoff) {
			delete(l.seen, id)
		}
	}
	return len(l.seen) < l.max
}

// touch notes a request of session id; false when the id is new here (a
// session another replica started, or one forgotten) and there is no room.
func (l *liveSessions) touch(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[id]; !ok && !l.roomLocked() {
		return false
	}
	l.seen[id] = l.now()
	return true
}

// add notes a session just started, room or not (roomFor checked it).
func (l *liveSessions) add(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen[id] = l.now()
}

func (l *liveSessions) end(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.seen, id)
}
