package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Secrets passes the webhook signing secret a rotation made on one replica
// to the others, whose receivers would otherwise refuse Ada's deliveries
// once Svix stops signing with the old secret too. It keeps the last few
// in a Redis list: anyone who can write to this Redis can already write
// events into the shared log, so the secret adds no new trust in it.
//
// It also remembers which webhooks are this server's own, and serializes
// rotations across replicas. Its keys are under the caller's prefix: one
// per AI Agent, so that deployments sharing a Redis keep their secrets
// apart.
type Secrets struct {
	rdb                  redis.UniversalClient
	key, ownKey, lockKey string
}

// keptSecrets is how many rotations the list remembers (a receiver keeps
// its configured secret and the last two).
const keptSecrets = 3

// NewSecrets returns the shared secrets in rdb under prefix (one for the
// AI Agent, as the rate budget's).
func NewSecrets(rdb redis.UniversalClient, prefix string) *Secrets {
	return &Secrets{rdb: rdb, key: prefix + "webhook-secrets", ownKey: prefix + "own-webhooks", lockKey: prefix + "rotation-lock"}
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

// MarkOwn remembers that webhook id is this server's own, for every
// replica: after a rotation whose secret could not be stored, its secret
// is no longer one they hold.
func (s *Secrets) MarkOwn(ctx context.Context, id string) error {
	if err := s.rdb.SAdd(ctx, s.ownKey, id).Err(); err != nil {
		return fmt.Errorf("fleet: remembering this server's webhook: %w", err)
	}
	return nil
}

// IsOwn reports whether a replica marked webhook id as its own.
func (s *Secrets) IsOwn(ctx context.Context, id string) (bool, error) {
	own, err := s.rdb.SIsMember(ctx, s.ownKey, id).Result()
	if err != nil {
		return false, fmt.Errorf("fleet: reading this server's webhooks: %w", err)
	}
	return own, nil
}

// ErrRotationBusy: another replica held the rotation lock until ctx ended.
var ErrRotationBusy = errors.New("another replica is rotating a webhook secret")

// lockPoll is how often a rotation waiting for the lock asks again.
const lockPoll = 50 * time.Millisecond

// unlockScript deletes the lock only if it is still the caller's (it may
// have expired and been taken by another replica).
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// LockRotation waits, until ctx ends, for the replicas' rotation lock; it
// expires after ttl should its holder die. unlock gives it back.
func (s *Secrets) LockRotation(ctx context.Context, ttl time.Duration) (unlock func(), err error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	for held := false; ; held = true {
		ok, err := s.rdb.SetNX(ctx, s.lockKey, token, ttl).Result()
		switch {
		case err != nil && held && ctx.Err() != nil:
			return nil, ErrRotationBusy
		case err != nil:
			return nil, fmt.Errorf("fleet: taking the rotation lock: %w", err)
		case ok:
			return func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
				defer cancel()
				_ = unlockScript.Run(ctx, s.rdb, []string{s.lockKey}, token).Err()
			}, nil
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ErrRotationBusy
		case <-t.C:
		}
	}
}
