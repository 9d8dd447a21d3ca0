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

// maxCallerShare is the part of maxLiveSessions one tenant may hold (in
// multi-tenant mode), so that one cannot lock the others out of new
// sessions for half an hour. Callers of the server's own token share the
// whole bound: they hold the same credential.
const maxCallerShare = 10

// liveSessions counts the session ids seen recently, an upper bound on
// those mcp-go holds: an id is forgotten here when it ends or idles as
// long as mcp-go lets one idle.
type liveSessions struct {
	mu        sync.Mutex
	seen      map[string]liveSession
	perCaller map[string]int // sessions in seen, by their tenant
	max       int            // in all
	maxCaller int            // for one tenant
	now       func() time.Time
}

type liveSession struct {
	last   time.Time // its last request
	caller string    // its tenant; "" for the server's own token
}

func newLiveSessions(bound int) *liveSessions {
	if bound <= 0 {
		bound = maxLiveSessions
	}
	return &liveSessions{seen: map[string]liveSession{}, perCaller: map[string]int{}, max: bound,
		maxCaller: max(1, bound/maxCallerShare), now: time.Now}
}

// room reports whether caller (a tenant, or "") may start one more session.
func (l *liveSessions) room(caller string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.roomLocked(caller)
}

func (l *liveSessions) roomLocked(caller string) bool {
	if l.fits(caller) {
		return true
	}
	cutoff := l.now().Add(-sessionIdleTTL)
	for id, s := range l.seen { // only when full: at most max entries
		if s.last.Before(cutoff) {
			l.forget(id, s)
		}
	}
	return l.fits(caller)
}

func (l *liveSessions) fits(caller string) bool {
	return len(l.seen) < l.max && (caller == "" || l.perCaller[caller] < l.maxCaller)
}

func (l *liveSessions) forget(id string, s liveSession) {
	delete(l.seen, id)
	if l.perCaller[s.caller]--; l.perCaller[s.caller] <= 0 {
		delete(l.perCaller, s.caller)
	}
}

// touch notes a request of caller's session id; false when the id is new
// here (a session another replica started, or one forgotten) and there is
// no room.
func (l *liveSessions) touch(id, caller string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.seen[id]; ok {
		s.last = l.now()
		l.seen[id] = s
		return true
	}
	if !l.roomLocked(caller) {
		return false
	}
	l.addLocked(id, caller)
	return true
}

// add notes a session just started, room or not (roomFor checked it).
func (l *liveSessions) add(id, caller string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.seen[id]; ok {
		l.forget(id, s)
	}
	l.addLocked(id, caller)
}

func (l *liveSessions) addLocked(id, caller string) {
	l.seen[id] = liveSession{last: l.now(), caller: caller}
	l.perCaller[caller]++
}

func (l *liveSessions) end(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.seen[id]; ok {
		l.forget(id, s)
	}
}
