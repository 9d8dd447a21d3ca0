package tools

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Toolset is a named group of tools that can be switched on together.
type Toolset struct {
	Name        string
	Description string
	// Default toolsets are on when none are named.
	Default bool
	// Always toolsets are on whatever is named (get_capabilities).
	Always bool
	// Tools builds the toolset's tools. Only enabled toolsets are built:
	// reflecting and compiling schemas is most of a cold start.
	Tools func() []Tool
}

// Toolsets returns every toolset, built over deps.
func Toolsets(deps *Deps) []Toolset {
	return []Toolset{
		{Name: toolsetCore, Description: "What this server can do now; always on.", Default: true, Always: true, Tools: func() []Tool { return coreTools(deps) }},
		{Name: toolsetEndUsers, Description: "Look up, list, create and update end users.", Default: true, Tools: func() []Tool { return endUserTools(deps) }},
		{Name: toolsetChannels, Description: "List, create and update custom channels.", Default: true, Tools: func() []Tool { return channelTools(deps) }},
		{Name: toolsetConversations, Description: "Start conversations (also by email), exchange messages and files with the AI Agent, end handoffs and conversations.", Default: true, Tools: func() []Tool { return conversationTools(deps) }},
		{Name: toolsetWebhooks, Description: "Manage Ada's webhook endpoints (opt-in).", Default: false, Tools: func() []Tool { return webhookTools(deps) }},
		{Name: toolsetKnowledge, Description: "Manage the knowledge base: sources, articles, tags (opt-in).", Default: false, Tools: func() []Tool { return knowledgeTools(deps) }},
		{Name: toolsetAIAgent, Description: "Read and edit the AI Agent's persona and custom instructions; read its variables (opt-in).", Default: false, Tools: func() []Tool { return aiAgentTools(deps) }},
		{Name: toolsetAudit, Description: "Read Ada's audit log of configuration changes (opt-in, read-only).", Default: false, Tools: func() []Tool { return auditTools(deps) }},
		{Name: toolsetExport, Description: "Export conversations and messages by time window (opt-in, read-only).", Default: false, Tools: func() []Tool { return exportTools(deps) }},
		{Name: toolsetCompliance, Description: "Erase end users' data and follow the erasure jobs (opt-in).", Default: false, Tools: func() []Tool { return complianceTools(deps) }},
	}
}

// Select returns the tools of the named toolsets ("all" for every one,
// "default" for the defaults, nothing for the defaults), without write tools
// when readOnly. An unknown name is an error that lists the valid ones.
func Select(sets []Toolset, names []string, readOnly bool) ([]Tool, error) {
	want, err := wanted(sets, names)
	if err != nil {
		return nil, err
	}
	var out []Tool
	for _, s := range sets {
		if !want[s.Name] && !s.Always {
			continue
		}
		for _, t := range s.Tools() {
			if readOnly && !t.ReadOnly() {
				continue
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// wanted is the set of toolsets names asks for; an unknown name is an
// error that lists the valid ones.
func wanted(sets []Toolset, names []string) (map[string]bool, error) {
	want := map[string]bool{}
	valid := make([]string, 0, len(sets))
	for _, s := range sets {
		valid = append(valid, s.Name)
	}
	if len(names) == 0 {
		names = []string{"default"}
	}
	for _, n := range names {
		n = strings.TrimSpace(strings.ToLower(n))
		switch n {
		case "":
			continue
		case "all":
			for _, s := range sets {
				want[s.Name] = true
			}
		case "default":
			for _, s := range sets {
				want[s.Name] = want[s.Name] || s.Default
			}
		default:
			if !slices.Contains(valid, n) {
				sort.Strings(valid)
				return nil, fmt.Errorf("unknown toolset %q: valid toolsets are %s, all and default", n, strings.Join(valid, ", "))
			}
			want[n] = true
		}
	}
	return want, nil
}

// ValidateToolsets checks names as Select does, without building a tool
// (a scenario file's server.toolsets, read before anything runs).
func ValidateToolsets(names []string) error {
	_, err := wanted(Toolsets(nil), names)
	return err
}

// WhyNotServed says what keeps a tool of some toolset out of the tools that
// toolsets (as --toolsets gives them) and readOnly serve: "" when nothing
// does, or when no toolset has the tool.
func WhyNotServed(name string, toolsets []string, readOnly bool) string {
	sets := Toolsets(nil)
	want, err := wanted(sets, toolsets)
	if err != nil {
		return ""
	}
	for _, ts := range sets {
		all := ts.Tools()
		i := slices.IndexFunc(all, func(t Tool) bool { return t.Name() == name })
		if i < 0 {
			continue
		}
		var why []string
		if !want[ts.Name] {
			why = append(why, fmt.Sprintf("it is in the toolset %s: add --toolsets %s or all", ts.Name, ts.Name))
		}
		if readOnly && !all[i].ReadOnly() {
			why = append(why, "it writes, and --read-only serves only read tools")
		}
		return strings.Join(why, "; ")
	}
	return ""
}
