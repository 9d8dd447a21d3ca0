package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// sandbox is the Ada simulator served on a loopback port for this process.
// It is reached over real HTTP, so the sandbox exercises the same client
// code, retries and validation as a real AI Agent.
type sandbox struct {
	APIKey    string
	BaseURL   string
	ChannelID string
	sim       *adasim.Sim
	srv       *http.Server
}

func startSandbox(cfg Config) (*sandbox, error) {
	key := make([]byte, 16)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	sb := &sandbox{APIKey: "sandbox_" + hex.EncodeToString(key)}
	sb.sim = adasim.New(adasim.Options{
		APIKey:        sb.APIKey,
		Seed:          cfg.SandboxSeed,
		Deterministic: cfg.SandboxSeed != 0,
		ReplyDelay:    cfg.SandboxReplyDelay,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sb.BaseURL = "http://" + ln.Addr().String() + "/api"
	sb.ChannelID = sb.sim.DefaultChannelID()
	sb.srv = &http.Server{Handler: sb.sim, ReadHeaderTimeout: 10 * time.Second}
	// A failure to serve shows up as failed tool calls, reported by the client.
	go sb.srv.Serve(ln)

	return sb, nil
}

// Close stops the simulator and its listener.
func (sb *sandbox) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = sb.srv.Shutdown(ctx)
	sb.sim.Close()
}
