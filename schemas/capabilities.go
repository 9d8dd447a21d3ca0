package schemas

// CapabilitiesArgs are get_capabilities' arguments: none.
type CapabilitiesArgs struct{}

// CapabilitiesResult is what the server can do right now.
type CapabilitiesResult struct {
	Version string `json:"version" jsonschema:"required"`
	// AdaHost is the Ada API's host (never its key).
	AdaHost  string   `json:"ada_host,omitempty"`
	Sandbox  bool     `json:"sandbox"`
	ReadOnly bool     `json:"read_only"`
	Toolsets []string `json:"toolsets" jsonschema:"required"`
	Tools    []string `json:"tools" jsonschema:"required"`
	// CustomerMessages: "allowed" or "refused" (human agents' messages, emails).
	CustomerMessages string `json:"customer_messages" jsonschema:"required"`
	// Deletions: "allowed", "ask_user" (confirmed through the client) or "refused".
	Deletions string `json:"deletions" jsonschema:"required"`
	// Replies: how waits learn of replies, "events" or "polling".
	Replies string `json:"replies" jsonschema:"required"`
	// RateLimits are the budget per API group ("30/s, 300/min"); RateBudget
	// says whose: "fleet" (shared by replicas), "process" or "off".
	RateLimits map[string]string `json:"rate_limits,omitempty"`
	RateBudget string            `json:"rate_budget" jsonschema:"required"`
}
