package tools

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
)

// recall remembers the values calls wrote where the key rules hide them
// (sensitive_metadata, secret-looking metadata keys), so that later calls
// hide them too: TOOLS.md has sensitive_metadata values never appear in a
// result, an error, a log line or a transcript, and the AI Agent may quote
// one back, or an end user type it again, long after the call that wrote
// it. Kept per Ada account (client), so that a tenant cannot learn from
// what is hidden whether another wrote a value. Bounded: the newest
// recallValues values of the recallAccounts accounts written to last; a
// value forgotten is hidden by the key rules only.
//
// Every call reads it and few write it: readers load an immutable map.
type recall struct {
	mu       sync.Mutex // writers
	accounts atomic.Pointer[map[*adaclient.Client]*recalled]
	order    []*adaclient.Client // least recently written first
}

type recalled struct {
	values []string         // oldest first
	red    *redact.Redactor // their exact-secret forms, made once
}

const (
	recallValues   = 256
	recallAccounts = 64
)

// apply returns red that also hides what earlier calls to c's account
// wrote; red itself when they wrote nothing.
func (r *recall) apply(c *adaclient.Client, red *redact.Redactor) *redact.Redactor {
	m := r.accounts.Load()
	if m == nil {
		return red
	}
	if a := (*m)[c]; a != nil {
		return red.Merge(a.red)
	}
	return red
}

// add remembers values written to c's account.
func (r *recall) add(c *adaclient.Client, values []string) {
	if c == nil || len(values) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := map[*adaclient.Client]*recalled{}
	if m := r.accounts.Load(); m != nil {
		old = *m
	}
	prev := old[c]
	var kept []string
	if prev != nil {
		kept = slices.Clone(prev.values)
	}
	grown := false
	for _, v := range values {
		if !slices.Contains(kept, v) {
			kept, grown = append(kept, v), true
		}
	}
	if !grown {
		return
	}
	kept = kept[max(0, len(kept)-recallValues):]
	next := make(map[*adaclient.Client]*recalled, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[c] = &recalled{values: kept, red: redact.New(redact.WithSecrets(kept...))}
	r.order = append(slices.DeleteFunc(r.order, func(x *adaclient.Client) bool { return x == c }), c)
	if len(r.order) > recallAccounts {
		delete(next, r.order[0])
		r.order = r.order[1:]
	}
	r.accounts.Store(&next)
}
