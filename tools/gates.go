package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/ada-mcp/ada-mcp/redact"
)

// Gates on what an assistant may not do on its own word: send a message a
// customer reads as a person's, and delete data. They fail closed: when in
// doubt nothing is sent to Ada. --read-only wins over both (it registers no
// tool that writes).

// customerVisible is implemented by arguments that can make a tool send
// something a customer reads as written by a person (a human agent's
// message, an email).
type customerVisible interface{ CustomerVisible() bool }

// destruction is implemented by arguments of destructive tools to name
// exactly what the call deletes, for the user's confirmation.
type destruction interface{ Destruction() string }

// confirmID keys the confirmation among a call's input requests.
const confirmID = "confirm_deletion"

// customerGate refuses what a customer would read as a person's unless the
// operator allowed it (--allow-customer-messages); nil lets it through.
func (d *Deps) customerGate(m meta, args any) *mcp.CallToolResult {
	if cv, ok := args.(customerVisible); ok && cv.CustomerVisible() && !d.AllowCustomerMessages {
		return mcp.NewToolResultError(fmt.Sprintf("Refused: %s would send a message the customer reads as a person's (a human agent's message or file, or an email). "+
			"Nothing was sent. The operator can allow it by starting the server with --allow-customer-messages (ADA_MCP_ALLOW_CUSTOMER_MESSAGES=true).", m.name))
	}
	return nil
}

// gate returns the result that stops the call, or nil to let it through.
func (d *Deps) gate(ctx context.Context, m meta, args any, req mcp.CallToolRequest, red *redact.Redactor) *mcp.CallToolResult {
	if stop := d.customerGate(m, args); stop != nil {
		return stop
	}
	if !m.destructive || m.noConfirm || d.AllowDestructive {
		return nil
	}
	what := describeDestruction(m, args, red)
	account := d.account(ctx)
	if answer := server.ElicitationResponse(req.Params.InputResponses, confirmID); answer != nil {
		if answer.Action != mcp.ElicitationResponseActionAccept || !confirmed(answer.Content) {
			return mcp.NewToolResultError(red.String(fmt.Sprintf("Not done: the user did not confirm deleting %s. Nothing was deleted.", what)))
		}
		// An acceptance counts only as the answer to the question this
		// server asked for exactly this call: not one the client made up,
		// nor one given for other arguments, nor one used before.
		// Otherwise it is asked anew.
		fresh, err := d.redeemed(ctx, req.Params.RequestState, m.name, account, args)
		if err != nil {
			d.logger().Warn("could not check that a deletion's confirmation was not used before", "tool", m.name, "error", err.Error())
			return mcp.NewToolResultError(red.String(fmt.Sprintf("Not done: could not check that the confirmation to delete %s was not used before "+
				"(the replicas' shared store is unavailable). Nothing was deleted. Try again shortly.", what)))
		}
		if fresh {
			return nil
		}
	}
	if ok, why := d.canAsk(ctx); !ok {
		return mcp.NewToolResultError(red.String(fmt.Sprintf("Refused: this would delete %s, which needs the user's confirmation, "+
			"and %s. Nothing was deleted. "+
			"The operator can allow deletions without asking by starting the server with --allow-destructive (ADA_MCP_ALLOW_DESTRUCTIVE=true).", what, why)))
	}
	return server.NewInputRequestBuilder(d.confirmations().state(m.name, account, args)).Elicit(confirmID, mcp.ElicitationParams{
		Message: red.String(fmt.Sprintf("Delete %s in Ada? This cannot be undone.", what)),
		RequestedSchema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"confirm": map[string]any{"type": "boolean", "title": "Delete", "description": "Yes, delete " + red.String(what)},
			},
			"required": []string{"confirm"},
		},
	}).ToolResult()
}

// describeDestruction names what a call deletes: the arguments' own words,
// or the tool's title and its (redacted) arguments.
func describeDestruction(m meta, args any, red *redact.Redactor) string {
	if d, ok := args.(destruction); ok {
		return d.Destruction()
	}
	b, err := red.Marshal(args)
	if err != nil {
		return m.title
	}
	return fmt.Sprintf("what %s names (%s)", m.name, b)
}

func confirmed(content any) bool {
	c, ok := content.(map[string]any)
	return ok && c["confirm"] == true
}

// canAsk reports whether this server can ask the client's user to confirm
// (and, if not, why not). A client before 2026-07-28 is asked by a request
// from the server whose answer comes back as a POST of its own: behind a
// balancer with several replicas (Deps.Replicated), that answer may reach
// another replica, which knows nothing of the question, while the call
// waits for it. So replicas ask only 2026-07-28 clients, whose answer
// comes with the retried call itself (and is checked by requestState).
func (d *Deps) canAsk(ctx context.Context) (bool, string) {
	if !clientCanElicit(ctx) {
		return false, "this MCP client cannot ask for it (it declares no elicitation support)"
	}
	if d.Replicated && !modernRequest(ctx) {
		return false, "this server runs as one of several replicas (--redis-url), where it asks for confirmations only in protocol 2026-07-28 or later, and this MCP client speaks an older one"
	}
	return true, ""
}

func modernRequest(ctx context.Context) bool {
	info := server.RequestProtocolInfoFromContext(ctx)
	return info != nil && info.Modern
}

// clientCanElicit reports whether the client said it can ask its user:
// per request from 2026-07-28, in the session before.
func clientCanElicit(ctx context.Context) bool {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.ClientCapabilities != nil && info.ClientCapabilities.Elicitation != nil
	}
	if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		return s.GetClientCapabilities().Elicitation != nil
	}
	return false
}
