package tools

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"
)

// confirmTTL is how long the user has to answer a deletion's confirmation.
const confirmTTL = 15 * time.Minute

// confirmer mints and checks the requestState of a deletion's
// confirmation: an HMAC of the tool, the account, the arguments and an
// expiry. The client echoes it back with the user's answer, so an answer
// counts only for the call it was asked about, within confirmTTL. The key
// is derived from the server's secrets (the Ada key, the bearer token), so
// replicas that share them accept each other's confirmations; without any,
// it is random, for this process alone. Each state deletes once
// (redeem): a replayed one is asked about anew.
type confirmer struct {
	key []byte
	now func() time.Time

	mu sync.Mutex
	// used holds the states redeemed and not yet expired, with their
	// expiry (Unix seconds).
	used map[string]int64
}

func newConfirmer(secrets ...string) *confirmer {
	h := sha256.New()
	h.Write([]byte("ada-mcp deletion confirmation\x00"))
	keyed := false
	for _, s := range secrets {
		if s != "" {
			keyed = true
		}
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	key := h.Sum(nil)
	if !keyed {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return &confirmer{key: key, now: time.Now}
}

// state is the requestState for a confirmation of tool(args) by account.
func (c *confirmer) state(tool, account string, args any) string {
	exp := strconv.FormatInt(c.now().Add(confirmTTL).Unix(), 36)
	mac, ok := c.mac(tool, account, exp, args)
	if !ok {
		return "" // valid never accepts it
	}
	return "c1." + exp + "." + mac
}

// valid reports whether state is one this server minted for tool(args)
// by account, and has not expired.
func (c *confirmer) valid(state, tool, account string, args any) bool {
	rest, ok := strings.CutPrefix(state, "c1.")
	if !ok {
		return false
	}
	exp, mac, ok := strings.Cut(rest, ".")
	if !ok {
		return false
	}
	at, err := strconv.ParseInt(exp, 36, 64)
	if err != nil || c.now().Unix() > at {
		return false
	}
	want, ok := c.mac(tool, account, exp, args)
	return ok && hmac.Equal([]byte(mac), []byte(want))
}

// redeem is valid, once: a state redeemed before is refused until it
// expires (when valid refuses it anyway). Without it a client could send
// an acceptance again, within confirmTTL, to delete what was recreated
// under the same id (articles and tags take the caller's ids) without
// the user being asked.
func (c *confirmer) redeem(state, tool, account string, args any) bool {
	if !c.valid(state, tool, account, args) {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now().Unix()
	for s, exp := range c.used {
		if now > exp {
			delete(c.used, s)
		}
	}
	if _, seen := c.used[state]; seen {
		return false
	}
	if c.used == nil {
		c.used = make(map[string]int64)
	}
	c.used[state] = stateExpiry(state)
	return true
}

// stateExpiry is the expiry of a state valid accepted.
func stateExpiry(state string) int64 {
	exp, _, _ := strings.Cut(strings.TrimPrefix(state, "c1."), ".")
	at, _ := strconv.ParseInt(exp, 36, 64)
	return at
}

func (c *confirmer) mac(tool, account, exp string, args any) (string, bool) {
	// The arguments as decoded (struct fields in order, map keys sorted):
	// the same call gives the same bytes.
	b, err := json.Marshal(args)
	if err != nil {
		return "", false
	}
	m := hmac.New(sha256.New, c.key)
	for _, part := range []string{tool, account, exp} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), true
}
