package fleet_test

import (
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/fleet"
	"github.com/ada-mcp/ada-mcp/internal/redistest"
)

// A key is claimed once across replicas, and is held past the time it was
// claimed until; another AI Agent's prefix claims apart.
func TestClaimsAreOnceAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	a, b := fleet.NewClaims(srv.Client(t), "t13:"), fleet.NewClaims(srv.Client(t), "t13:")
	other := fleet.NewClaims(srv.Client(t), "t14:")
	ctx := ctxT(t)
	until := time.Now().Add(time.Minute)
	for i, tc := range []struct {
		c    *fleet.Claims
		want bool
	}{{a, true}, {b, false}, {a, false}, {other, true}} {
		got, err := tc.c.Claim(ctx, "confirm:x", until)
		if err != nil || got != tc.want {
			t.Fatalf("claim %d: %v, %v; want %v", i, got, err, tc.want)
		}
	}
	ttl, err := srv.Client(t).TTL(ctx, "t13:claim:confirm:x").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute+time.Second {
		t.Fatalf("ttl %v, %v", ttl, err)
	}
	// Already past: still held a moment, not forever.
	if ok, err := a.Claim(ctx, "confirm:y", time.Now().Add(-time.Hour)); !ok || err != nil {
		t.Fatalf("%v %v", ok, err)
	}
	if ttl, _ := srv.Client(t).TTL(ctx, "t13:claim:confirm:y").Result(); ttl <= 0 || ttl > time.Second {
		t.Fatalf("ttl of a past claim %v", ttl)
	}
}
