package tools

import (
	"context"

	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetChannels = "channels"

func channelTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "list_channels", title: "List channels", toolset: toolsetChannels, hints: reads,
			description: "List Ada channels: custom (the default; start_conversation needs one) or native. Returns channels, next_cursor and has_more.",
		}, d, listChannels),
		newTool(meta{
			name: "create_channel", title: "Create a custom channel", toolset: toolsetChannels, hints: writes,
			description: "Create a custom channel (Ada allows 100 a day). Not idempotent: check list_channels first. Returns the channel.",
		}, d, createChannel),
	}
}

func listChannels(ctx context.Context, env *Env, a *schemas.ListChannelsArgs) (*schemas.ListChannelsResult, error) {
	chs, r, err := env.Client.Channels.List(ctx, a.Options())
	if err != nil {
		return nil, err
	}
	out := make([]schemas.Channel, len(chs))
	for i := range chs {
		out[i] = schemas.ChannelFrom(&chs[i])
	}
	return &schemas.ListChannelsResult{Channels: out, Page: pageOf(r)}, nil
}

func createChannel(ctx context.Context, env *Env, a *schemas.CreateChannelArgs) (*schemas.CreateChannelResult, error) {
	ch, _, err := env.Client.Channels.Create(ctx, a.Request())
	if err != nil {
		return nil, withHint(err, "Check list_channels before creating it again.")
	}
	return &schemas.CreateChannelResult{Channel: schemas.ChannelFrom(ch)}, nil
}
