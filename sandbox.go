package main

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
	"github.com/ada-mcp/ada-mcp/redact"
	"github.com/ada-mcp/ada-mcp/transcript"
)

// sandbox is the Ada simulator served on a loopback port for this process.
// It is reached over real HTTP, so the sandbox exercises the same client
// code, retries and validation as a real AI Agent.
type sandbox struct {
	APIKey    string
	BaseURL   string
	ChannelID string
	// Seed is the seed in use: the one given, or the random one picked
	// for seed 0. Deterministic: a seed was given, so the clock is logical.
	Seed          int64
	Deterministic bool
	srv           *adasim.Server
}

// simSpec is what a simulator is started with, from --sandbox-* or the
// sandbox command's flags.
type simSpec struct {
	Key        string // "" picks a random one
	Seed       int64  // 0 picks a random one, with the real clock
	ReplyDelay time.Duration
	State      string // a state file to start from
	RateLimits bool
}

// openSim creates the simulator of spec. Seed 0 means a fresh random seed
// and the real clock, as a real Ada would give: ids differ from run to run.
// Any other seed gives the same ids and logical timestamps every time.
func openSim(spec simSpec) (*adasim.Sim, adasim.Options, error) {
	return openSimWith(spec, nil)
}

// openSimWith is openSim with a last change to the options (a logger).
func openSimWith(spec simSpec, tweak func(*adasim.Options)) (*adasim.Sim, adasim.Options, error) {
	opts := adasim.Options{APIKey: spec.Key, Seed: spec.Seed, Deterministic: spec.Seed != 0,
		ReplyDelay: spec.ReplyDelay, RateLimits: spec.RateLimits}
	if tweak != nil {
		tweak(&opts)
	}
	if opts.APIKey == "" {
		opts.APIKey = randomKey()
	}
	if opts.Seed == 0 {
		opts.Seed = randomSeed()
	}
	if spec.State != "" {
		st, err := adasim.ReadStateFile(spec.State)
		if err != nil {
			return nil, opts, err
		}
		opts.State = &st
	}
	sim, err := adasim.Open(opts)
	if err != nil {
		return nil, opts, fmt.Errorf("%s: %w", spec.State, err)
	}
	return sim, opts, nil
}

func startSandbox(cfg SandboxConfig) (*sandbox, error) {
	sim, opts, err := openSim(simSpec{Seed: cfg.Seed, ReplyDelay: cfg.ReplyDelay, State: cfg.State})
	if err != nil {
		return nil, err
	}
	srv, err := adasim.Listen("127.0.0.1:0", sim)
	if err != nil {
		sim.Close()
		return nil, err
	}
	return &sandbox{APIKey: opts.APIKey, BaseURL: srv.BaseURL, ChannelID: sim.DefaultChannelID(),
		Seed: opts.Seed, Deterministic: opts.Deterministic, srv: srv}, nil
}

// writeState saves the simulator's state (what GET /_sandbox/state shows),
// redacted like a tool result: the file leaves the process as a
// transcript does.
func (sb *sandbox) writeState(path string, red *redact.Redactor) error {
	return transcript.WriteState(path, sb.srv.Sim.State(), red)
}

// Close stops the simulator and its listener.
func (sb *sandbox) Close() { sb.srv.Close() }

func randomKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "sandbox_" + hex.EncodeToString(b)
}

// randomSeed is a positive seed short enough to type back in.
func randomSeed() int64 {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return int64(binary.BigEndian.Uint32(b[:])>>1) + 1
}
