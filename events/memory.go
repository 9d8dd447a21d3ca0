package events

import (
	"container/list"
	"context"
	"strconv"
	"sync"
	"time"
)

// Memory is a Log in this process: what one server needs, and what a
// sandbox feeds directly. Waiters on a key are woken by each append.
type Memory struct {
	lim Limits
	now func() time.Time

	mu   sync.Mutex
	seq  uint64 // the last sequence number given; cursors are sequence numbers
	keys map[string]*stream
	lru  *list.List // of key strings, least recently appended first
	seen dedupe
}

type stream struct {
	events []stored
	wake   chan struct{} // closed (and replaced) when an event is appended
	elem   *list.Element
}

type stored struct {
	seq  uint64
	kept time.Time
	ev   Event
}

// NewMemory returns an empty in-memory log.
func NewMemory(lim Limits) *Memory {
	return &Memory{lim: lim.WithDefaults(), now: time.Now, keys: map[string]*stream{}, lru: list.New(),
		seen: dedupe{ids: map[string]time.Time{}}}
}

// Append implements Log.
func (m *Memory) Append(_ context.Context, e Event) (bool, error) {
	key := e.Key()
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e.ID != "" && !m.seen.add(e.ID, now, m.lim.DedupeFor) {
		return false, nil
	}
	if key == "" {
		return true, nil // nothing waits on it
	}
	s := m.streamLocked(key)
	m.lru.MoveToBack(s.elem)
	m.seq++
	s.events = append(s.events, stored{seq: m.seq, kept: now, ev: e})
	m.pruneLocked(s, now)
	close(s.wake)
	s.wake = make(chan struct{})
	return true, nil
}

// streamLocked returns key's stream, making room for it if it is new.
func (m *Memory) streamLocked(key string) *stream {
	if s, ok := m.keys[key]; ok {
		return s
	}
	for len(m.keys) >= m.lim.Keys {
		oldest := m.lru.Front()
		old := m.keys[oldest.Value.(string)]
		// Waiters on an evicted key wake up and find a fresh, empty one.
		close(old.wake)
		delete(m.keys, oldest.Value.(string))
		m.lru.Remove(oldest)
	}
	s := &stream{wake: make(chan struct{})}
	s.elem = m.lru.PushBack(key)
	m.keys[key] = s
	return s
}

// pruneLocked drops events over the size and age limits.
func (m *Memory) pruneLocked(s *stream, now time.Time) {
	drop := max(len(s.events)-m.lim.PerKey, 0)
	for drop < len(s.events) && now.Sub(s.events[drop].kept) > m.lim.MaxAge {
		drop++
	}
	if drop > 0 {
		s.events = append(s.events[:0:0], s.events[drop:]...)
	}
}

// End implements Log: every later append gets a higher sequence number.
func (m *Memory) End(context.Context, string) (Cursor, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Cursor(strconv.FormatUint(m.seq, 10)), nil
}

// Next implements Log.
func (m *Memory) Next(ctx context.Context, key string, after Cursor) ([]Event, Cursor, error) {
	var from uint64
	if after != "" {
		n, err := strconv.ParseUint(string(after), 10, 64)
		if err != nil {
			return nil, after, errBadCursor(after)
		}
		from = n
	}
	for {
		m.mu.Lock()
		s := m.streamLocked(key)
		m.pruneLocked(s, m.now())
		var out []Event
		last := from
		for _, st := range s.events {
			if st.seq > from {
				out = append(out, st.ev)
				last = st.seq
			}
		}
		wake := s.wake
		m.mu.Unlock()
		if len(out) > 0 {
			return out, Cursor(strconv.FormatUint(last, 10)), nil
		}
		select {
		case <-ctx.Done():
			return nil, after, ctx.Err()
		case <-wake:
		}
	}
}

// Recent implements Log.
func (m *Memory) Recent(_ context.Context, key string) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.keys[key]
	if !ok {
		return nil, nil
	}
	m.pruneLocked(s, m.now())
	out := make([]Event, len(s.events))
	for i, st := range s.events {
		out[i] = st.ev
	}
	return out, nil
}

// Close implements Log.
func (m *Memory) Close() error { return nil }

// dedupe remembers delivery IDs for a while, in arrival order so the
// expired ones are found without a scan.
type dedupe struct {
	ids   map[string]time.Time // id → when it may be forgotten
	order []string
}

// maxRemembered bounds the IDs kept, whatever DedupeFor says.
const maxRemembered = 100_000

// add reports whether id is new, remembering it until now+ttl.
func (d *dedupe) add(id string, now time.Time, ttl time.Duration) bool {
	for len(d.order) > 0 {
		first := d.order[0]
		if exp, ok := d.ids[first]; ok && now.Before(exp) && len(d.order) < maxRemembered {
			break
		}
		delete(d.ids, first)
		d.order = d.order[1:]
	}
	if exp, ok := d.ids[id]; ok && now.Before(exp) {
		return false
	}
	d.ids[id] = now.Add(ttl)
	d.order = append(d.order, id)
	return true
}
