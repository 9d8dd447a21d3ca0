package fleet

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Secrets passes the webhook signing secret a rotation made on one replica
// to the others, whose receivers would otherwise refuse Ada's deliveries
// once Svix stops signing with the old secret too. It keeps the last few
// in a Redis list: anyone who can write to this Redis can already write
// events into the shared log, so the secret adds no new trust in it.
type Secrets struct {
	rdb redis.UniversalClient
	key string
}

// keptSecrets is how many rotations the list remembers (a receiver keeps
// its configured secret and the last two).
const keptSecrets = 3

// NewSecrets returns the shared secrets in rdb under prefix.
func NewSecrets(rdb redis.UniversalClient, prefix string) *Secrets {
	return &Secrets{rdb: rdb, key: prefix + "webhook-secrets"}
}

// Add shares secret with the other replicas.
func (s *Secrets) Add(ctx context.Context, secret string) error {
	pipe := s.rdb.TxPipeline()
	pipe.LPush(ctx, s.key, secret)
	pipe.LTrim(ctx, s.key, 0, keptSecrets-1)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("fleet: sharing the webhook secret: %w", err)
	}
	return nil
}

// List returns the secrets shared, newest first.
func (s *Secrets) List(ctx context.Context) ([]string, error) {
	out, err := s.rdb.LRange(ctx, s.key, 0, keptSecrets-1).Result()
	if err != nil {
		return nil, fmt.Errorf("fleet: reading the shared webhook secrets: %w", err)
	}
	return out, nil
}
