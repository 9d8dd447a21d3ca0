package tools

import (
	"context"
	"net/http"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetChannels = "channels"

func channelTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "list_channels", title: "List channels", toolset: toolsetChannels, hints: reads,
			description: "List Ada channels: custom (the default; start_conversation needs one) or native. Returns channels (metadata cut to ~1 KB, ids in metadata_truncated), next_cursor and has_more.",
		}, d, listChannels),
		newTool(meta{
			name: "create_channel", title: "Create a custom channel", toolset: toolsetChannels, hints: writes,
			description: "Create a custom channel (Ada allows 100 a day). Not idempotent: check list_channels first. Returns the channel.",
		}, d, createChannel),
		newTool(meta{
			name: "update_channel", title: "Update a channel", toolset: toolsetChannels, hints: idemWrites,
			description: "Turn Markdown on or off in the AI Agent's replies on a custom channel (native channels are read-only). Returns the channel.",
		}, d, updateChannel),
	}
}

func listChannels(ctx context.Context, env *Env, a *schemas.ListChannelsArgs) (*schemas.ListChannelsResult, error) {
	chs, r, err := env.Client.Channels.List(ctx, a.Options())
	if err != nil {
		return nil, err
	}
	listed, cut := schemas.ListedChannelsFrom(chs)
	page := pageOf(r)
	page.NextCursor = a.NextCursor(page.NextCursor) // bound to type, modality and limit
	return &schemas.ListChannelsResult{Channels: listed, MetadataTruncated: cut, Page: page}, nil
}

func createChannel(ctx context.Context, env *Env, a *schemas.CreateChannelArgs) (*schemas.CreateChannelResult, error) {
	ch, _, err := env.Client.Channels.Create(ctx, a.Request())
	if adaclient.IsDailyCap(err) { // Ada's cap of 100 channels a day
		return nil, withHint(err, "Ada allows 100 new channels a day per account: reuse one that list_channels shows.")
	}
	if err != nil {
		return nil, hintIfUncertain(err, "Check list_channels before creating it again.")
	}
	return &schemas.CreateChannelResult{Channel: schemas.ChannelFrom(ch)}, nil
}

func updateChannel(ctx context.Context, env *Env, a *schemas.UpdateChannelArgs) (*schemas.UpdateChannelResult, error) {
	ch, _, err := env.Client.Channels.Update(ctx, a.ChannelID, a.Request())
	if adaclient.StatusCode(err) == http.StatusBadRequest && env.isNativeChannel(ctx, a.ChannelID) {
		return nil, plainf(err, "Channel %s is one of Ada's native channels, which are read-only: only custom channels can be updated (list_channels shows them)", a.ChannelID)
	}
	if err != nil {
		return nil, err
	}
	return &schemas.UpdateChannelResult{Channel: schemas.ChannelFrom(ch)}, nil
}

// isNativeChannel reports whether id is among Ada's native channels (a few
// pages at most); false when they cannot be listed.
func (e *Env) isNativeChannel(ctx context.Context, id string) bool {
	opts := &adaclient.ListChannelsOptions{Type: adaclient.ChannelTypeNative, ListOptions: adaclient.ListOptions{Limit: adaclient.MaxPageSize}}
	for range 5 {
		chs, r, err := e.Client.Channels.List(ctx, opts)
		if err != nil {
			return false
		}
		for _, ch := range chs {
			if ch.ID == id {
				return true
			}
		}
		if r.NextCursor == "" {
			return false
		}
		opts.Cursor = r.NextCursor
	}
	return false
}
