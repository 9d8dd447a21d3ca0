package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetCore = "core"

// Surface is what NewServer selected, for get_capabilities.
type surface struct {
	version  string
	toolsets []string
	tools    []string
	readOnly bool
}

func coreTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "get_capabilities", title: "What this server can do", toolset: toolsetCore, hints: reads, ownData: true, local: true,
			description: "What this server can do now: Ada host, toolsets and tools, read-only, whether customer-visible messages and deletions are allowed, rate limits, sandbox or real. Call it before planning.",
		}, d, getCapabilities),
	}
}

func getCapabilities(ctx context.Context, env *Env, _ *schemas.CapabilitiesArgs) (*schemas.CapabilitiesResult, error) {
	d := env.Deps
	res := &schemas.CapabilitiesResult{
		Version: d.surface.version, AdaHost: env.Client.Host(), Sandbox: d.Sandbox, ReadOnly: d.surface.readOnly,
		Toolsets: d.surface.toolsets, Tools: d.surface.tools,
		CustomerMessages: "refused", Deletions: "refused", Replies: "polling", RateBudget: "off",
	}
	if d.AllowCustomerMessages && !d.surface.readOnly { // --read-only wins over the gates
		res.CustomerMessages = "allowed"
	}
	switch {
	case d.surface.readOnly:
	case d.AllowDestructive:
		res.Deletions = "allowed"
	case asksUser(ctx, d):
		res.Deletions = "ask_user"
	}
	if d.Events != nil {
		res.Replies = "events"
	}
	if len(d.RateLimits) > 0 {
		res.RateBudget = "process"
		if d.RateShared {
			res.RateBudget = "fleet"
		}
		res.RateLimits = map[string]string{}
		for group, limits := range d.RateLimits {
			res.RateLimits[group] = describeLimits(limits)
		}
	}
	return res, nil
}

// describeLimits is "30/s, 300/min".
func describeLimits(limits []adaclient.Limit) string {
	parts := make([]string, 0, len(limits))
	for _, l := range limits {
		unit := map[time.Duration]string{time.Second: "s", time.Minute: "min", time.Hour: "h"}[l.Per]
		if unit == "" {
			unit = l.Per.String()
		}
		parts = append(parts, fmt.Sprintf("%d/%s", l.Requests, unit))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func asksUser(ctx context.Context, d *Deps) bool {
	ok, _ := d.canAsk(ctx)
	return ok
}
