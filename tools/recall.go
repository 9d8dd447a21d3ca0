package tools

import (
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/redact"
)

// recall remembers the values calls wrote where the key rules hide them
// (sensitive_metadata, secret-looking metadata keys), so that later calls
// hide them too: TOOLS.md has sensitive_metadata values never appear in a
// result, an error, a log line or a transcript, and the AI Agent may quote
// one back, or an end user type it again, long after the call that wrote
// it. Kept per Ada account (Deps.account: the server's own, or a tenant's
// by the fingerprint of its credentials), so that a tenant cannot learn
// from what is hidden whether another wrote a value, and only once a call
// succeeded (Ada took the key and the values), so that made-up keys cannot
// push real accounts out. Bounded: the newest recallValues values of the
// recallAccounts accounts written to last; a value forgotten is hidden by
// the key rules only.
//
// Every call reads it and few write it: readers load an immutable map.
type recall struct {
	mu       sync.Mutex // writers
	accounts atomic.Pointer[map[string]*recalled]
	order    []string // least recently written first
}

type recalled struct {
	values []string         // oldest first
	red    *redact.Redactor // their exact-secret forms, made once
}

const (
	recallValues   = 256
	recallAccounts = 64
)

// apply returns red that also hides what earlier calls to the account
// wrote; red itself when they wrote nothing.
func (r *recall) apply(account string, red *redact.Redactor) *redact.Redactor {
	m := r.accounts.Load()
	if m == nil {
		return red
	}
	if a := (*m)[account]; a != nil {
		return red.Merge(a.red)
	}
	return red
}

// recallKeyedMin is the shortest value of a secret-looking metadata key
// (not sensitive_metadata) remembered for the account's later calls.
const recallKeyedMin = 8

// recallable is what a call's hidden values leave for the account's later
// calls: every sensitive_metadata value, and the values of secret-looking
// keys from recallKeyedMin runes on (a short one, "help" under "token" or
// a name under "author", would hide that word from every later result).
func recallable(sensitive, keyed []string) []string {
	out := slices.Clip(sensitive) // an append below copies
	for _, v := range keyed {
		if utf8.RuneCountInString(v) >= recallKeyedMin {
			out = append(out, v)
		}
	}
	return out
}

// add remembers values written to the account: the newest last, a value
// written again moved there, and the account marked written to last.
func (r *recall) add(account string, values []string) {
	values = withIntegerForms(values)
	if len(values) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := map[string]*recalled{}
	if m := r.accounts.Load(); m != nil {
		old = *m
	}
	var kept []string
	if prev := old[account]; prev != nil {
		kept = slices.Clone(prev.values)
	}
	for _, v := range values {
		kept = append(slices.DeleteFunc(kept, func(k string) bool { return k == v }), v)
	}
	kept = kept[max(0, len(kept)-recallValues):]
	next := make(map[string]*recalled, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[account] = &recalled{values: kept, red: redact.New(redact.WithStoredValues(kept...))}
	r.order = append(slices.DeleteFunc(r.order, func(x string) bool { return x == account }), account)
	if len(r.order) > recallAccounts {
		delete(next, r.order[0])
		r.order = r.order[1:]
	}
	r.accounts.Store(&next)
}

// withIntegerForms is values, the short ones left out (redact keeps no
// exact secret under four characters), and each whole number written with
// a fraction (12345.0, as JSON may write it) also as Ada stores and
// echoes it: 12345.
func withIntegerForms(values []string) []string {
	var out []string
	for _, v := range values {
		if len(v) < 4 {
			continue
		}
		out = append(out, v)
		if n, ok := adaclient.IntegerForm(v); ok {
			out = append(out, n)
		}
	}
	return out
}
