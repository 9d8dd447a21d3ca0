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
	Tools   []Tool
}

// Toolsets returns every toolset, built over deps.
func Toolsets(deps *Deps) []Toolset {
	return []Toolset{
		{Name: toolsetEndUsers, Description: "Look up, list, create and update end users.", Default: true, Tools: endUserTools(deps)},
		{Name: toolsetChannels, Description: "List, create and update custom channels.", Default: true, Tools: channelTools(deps)},
		{Name: toolsetConversations, Description: "Start conversations (also by email), exchange messages and files with the AI Agent, end handoffs and conversations.", Default: true, Tools: conversationTools(deps)},
		{Name: toolsetWebhooks, Description: "Manage Ada's webhook endpoints (opt-in).", Default: false, Tools: webhookTools(deps)},
	}
}

// Select returns the tools of the named toolsets ("all" for every one,
// "default" for the defaults, nothing for the defaults), without write tools
// when readOnly. An unknown name is an error that lists the valid ones.
func Select(sets []Toolset, names []string, readOnly bool) ([]Tool, error) {
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
	var out []Tool
	for _, s := range sets {
		if !want[s.Name] {
			continue
		}
		for _, t := range s.Tools {
			if readOnly && !t.ReadOnly() {
				continue
			}
			out = append(out, t)
		}
	}
	return out, nil
}
