package tools

import (
	"context"
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
// A random nonce makes each question's state its own, so that redeeming
// one (redeem) leaves a question asked again in the same second valid.
func (c *confirmer) state(tool, account string, args any) string {
	exp := strconv.FormatInt(c.now().Add(confirmTTL).Unix(), 36)
	var n [12]byte
	_, _ = rand.Read(n[:])
	nonce := base64.RawURLEncoding.EncodeToString(n[:])
	mac, ok := c.mac(tool, account, exp, nonce, args)
	if !ok {
		return "" // valid never accepts it
	}
	return "c2." + exp + "." + nonce + "." + mac
}

// valid reports whether state is one this server minted for tool(args)
// by account, and has not expired.
func (c *confirmer) valid(state, tool, account string, args any) bool {
	exp, nonce, mac, ok := splitState(state)
	if !ok {
		return false
	}
	at, err := strconv.ParseInt(exp, 36, 64)
	if err != nil || c.now().Unix() > at {
		return false
	}
	want, ok := c.mac(tool, account, exp, nonce, args)
	return ok && hmac.Equal([]byte(mac), []byte(want))
}

// splitState splits "c2.EXP.NONCE.MAC".
func splitState(state string) (exp, nonce, mac string, ok bool) {
	parts := strings.Split(state, ".")
	if len(parts) != 4 || parts[0] != "c2" {
		return "", "", "", false
	}
	return parts[1], parts[2], parts[3], true
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

// redeemed reports whether state was not redeemed before by any replica,
// and claims it: redeem on this process, then the fleet's claim, if any.
// A claim that cannot be made refuses (err), rather than risk a second
// deletion.
func (d *Deps) redeemed(ctx context.Context, state, tool, account string, args any) (bool, error) {
	if !d.confirmations().redeem(state, tool, account, args) {
		return false, nil
	}
	if d.Redeemed == nil {
		return true, nil
	}
	sum := sha256.Sum256([]byte(state))
	return d.Redeemed.Claim(ctx, "confirm:"+base64.RawURLEncoding.EncodeToString(sum[:]), time.Unix(stateExpiry(state), 0))
}

// stateExpiry is the expiry of a state valid accepted.
func stateExpiry(state string) int64 {
	exp, _, _, _ := splitState(state)
	at, _ := strconv.ParseInt(exp, 36, 64)
	return at
}

func (c *confirmer) mac(tool, account, exp, nonce string, args any) (string, bool) {
	// The arguments as decoded (struct fields in order, map keys sorted):
	// the same call gives the same bytes.
	b, err := json.Marshal(args)
	if err != nil {
		return "", false
	}
	m := hmac.New(sha256.New, c.key)
	for _, part := range []string{tool, account, exp, nonce} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), true
}
