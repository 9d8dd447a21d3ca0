package adasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// A scripted AI Agent, for evaluations that control what it answers (the file format is in
// doc.go). Rules are tried in order on each end-user text message; without a match the
// built-in AI Agent answers (agent.go).

// AgentRule answers the end-user text messages that Match matches.
type AgentRule struct {
	Match   string   `json:"match"`   // Go regexp matched against the end user's text message
	Replies []string `json:"replies"` // the AI Agent's messages, in order (at least one unless Handoff)
	Handoff bool     `json:"handoff"` // hand the conversation to a human agent after the replies, as the built-in handoff words do
}

// AgentScript is the AI Agent's script (Options.Agent).
type AgentScript struct {
	// Greeting false: the AI Agent greets no new conversation, as one set
	// up without a greeting; absent or true, it greets.
	Greeting *bool       `json:"greeting,omitempty"`
	Rules    []AgentRule `json:"rules"`
}

// defaultReplyGap separates a rule's replies when ReplyDelay is not 0 and ReplyGap is.
const defaultReplyGap = 100 * time.Millisecond

// agentRule is an AgentRule compiled.
type agentRule struct {
	match   *regexp.Regexp
	replies []string
	handoff bool
}

// ParseAgentScript reads a script: strict JSON ({"rules": [...]}, an unknown field is an
// error), every regexp compiled. Errors name the rule and field at fault, e.g.
// `rules[1].match: error parsing regexp: ...`.
func ParseAgentScript(b []byte) (*AgentScript, error) {
	var top struct {
		Greeting *bool             `json:"greeting"`
		Rules    []json.RawMessage `json:"rules"`
	}
	if err := decodeStrict(b, &top); err != nil {
		return nil, fmt.Errorf("not an agent script: %w", err)
	}
	if top.Rules == nil {
		return nil, errors.New(`rules: required (an array of {"match", "replies", "handoff"})`)
	}
	sc := &AgentScript{Greeting: top.Greeting, Rules: make([]AgentRule, len(top.Rules))}
	for i, raw := range top.Rules {
		if err := decodeStrict(raw, &sc.Rules[i]); err != nil {
			return nil, fmt.Errorf("rules[%d]: %w", i, err)
		}
	}
	if _, err := sc.compile(); err != nil {
		return nil, err
	}
	return sc, nil
}

// ReadAgentScript reads a script file (ParseAgentScript). Errors start with the path.
func ReadAgentScript(path string) (*AgentScript, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := ParseAgentScript(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

// decodeStrict decodes exactly one JSON value with no unknown fields.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// compile checks every rule: match is a non-empty regexp; replies are not empty, and there is
// at least one unless handoff.
func (sc *AgentScript) compile() ([]agentRule, error) {
	rules := make([]agentRule, 0, len(sc.Rules))
	for i, r := range sc.Rules {
		if r.Match == "" {
			return nil, fmt.Errorf(`rules[%d].match: required (a Go regexp; "." matches any message)`, i)
		}
		re, err := regexp.Compile(r.Match)
		if err != nil {
			return nil, fmt.Errorf("rules[%d].match: %w", i, err)
		}
		if len(r.Replies) == 0 && !r.Handoff {
			return nil, fmt.Errorf("rules[%d].replies: at least one reply is required unless handoff is true", i)
		}
		for j, reply := range r.Replies {
			if strings.TrimSpace(reply) == "" {
				return nil, fmt.Errorf("rules[%d].replies[%d]: must not be empty", i, j)
			}
		}
		rules = append(rules, agentRule{match: re, replies: append([]string(nil), r.Replies...), handoff: r.Handoff})
	}
	return rules, nil
}

// respond is the AI Agent's replies to an end-user message, and whether it hands the
// conversation off: the first matching rule of the script, else the built-in answer. A rule
// that hands off without replies announces it as the built-in handoff does.
func (s *Sim) respond(u *endUser, content messageContent) (replies []string, handoff bool) {
	if content.Type == contentText {
		for _, r := range s.agent {
			if !r.match.MatchString(content.Body) {
				continue
			}
			if len(r.replies) == 0 {
				return []string{textsFor(u.profile.language).handoff}, true
			}
			return r.replies, r.handoff
		}
	}
	reply, handoff := answer(u, content)
	return []string{reply}, handoff
}

// replyDelay is when the i-th reply to a message appears: the first after ReplyDelay, each
// next ReplyGap later; all at once when ReplyDelay is 0.
func (s *Sim) replyDelay(i int) time.Duration {
	if s.opts.ReplyDelay <= 0 {
		return 0
	}
	gap := s.opts.ReplyGap
	if gap <= 0 {
		gap = defaultReplyGap
	}
	return s.opts.ReplyDelay + time.Duration(i)*gap
}
