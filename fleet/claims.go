package fleet

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Claims makes something happen once across the replicas: the first to
// claim a key gets it, until it expires. Deletion confirmations use it, so
// that an acceptance is redeemed once by the whole fleet, not once per
// replica.
type Claims struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewClaims returns the claims in rdb under prefix (one per AI Agent).
func NewClaims(rdb redis.UniversalClient, prefix string) *Claims {
	return &Claims{rdb: rdb, prefix: prefix + "claim:"}
}

// Claim reports whether key was not claimed before, and claims it until
// until (at least a second, so that a key already expired here is still
// held while a clock a little behind accepts it).
func (c *Claims) Claim(ctx context.Context, key string, until time.Time) (bool, error) {
	ttl := max(time.Until(until), 0) + time.Second
	fresh, err := c.rdb.SetNX(ctx, c.prefix+key, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("fleet: claiming: %w", err)
	}
	return fresh, nil
}
