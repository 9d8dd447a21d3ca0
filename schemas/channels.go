package schemas

import (
	"cmp"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/internal/paging"
)

// Channel is a channel as tools return it.
type Channel struct {
	ID          string   `json:"channel_id" jsonschema:"required"`
	Type        string   `json:"type" jsonschema:"required"`
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	Modality    string   `json:"modality,omitempty"`
	Markdown    bool     `json:"markdown,omitempty"`
	Metadata    Metadata `json:"metadata,omitempty"`
	CreatedAt   string   `json:"created_at,omitempty"`
}

// ChannelFrom converts Ada's channel.
func ChannelFrom(c *adaclient.Channel) Channel {
	ch := Channel{ID: c.ID, Type: c.Type, Name: c.Name, Description: c.Description, Modality: c.Modality,
		Metadata: Metadata(c.Metadata), CreatedAt: c.CreatedAt}
	if c.Capabilities != nil {
		ch.Markdown = c.Capabilities.Markdown
	}
	return ch
}

// ListedChannelsFrom converts a page of channels for list_channels: Ada allows 4 KB of
// metadata each and 100 a page, so metadata is bounded as list_end_users bounds it; cut
// lists the ids of the channels whose metadata was cut. No tool reads one channel whole.
func ListedChannelsFrom(chs []adaclient.Channel) (out []Channel, cut []string) {
	out = allFrom(chs, ChannelFrom)
	for i := range out {
		var c bool
		if out[i].Metadata, c = boundListedMetadata(out[i].Metadata); c {
			cut = append(cut, out[i].ID)
		}
	}
	return out, cut
}

// ListChannelsArgs are list_channels' arguments.
type ListChannelsArgs struct {
	Type     string `json:"type,omitempty" jsonschema:"enum=custom,enum=native,default=custom"`
	Modality string `json:"modality,omitempty" jsonschema:"enum=messaging,enum=email,enum=voice,enum=sms"`
	Limit    int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=100"`
	Cursor   string `json:"cursor,omitempty"`

	page string // Ada's cursor, from Cursor (Validate)
}

// Validate reads the cursor: a next_cursor of the same type, modality and
// limit (Ada's cursor alone would go on listing another type silently).
func (a *ListChannelsArgs) Validate() error {
	if err := validateCursor(a.Cursor); err != nil {
		return err
	}
	return listingPage(a.Cursor, a.listing(), "list_channels", "type, modality and limit", &a.page)
}

func (a *ListChannelsArgs) channelType() string { return cmp.Or(a.Type, adaclient.ChannelTypeCustom) }

// listing spells the filters and page size for the cursor's fingerprint.
func (a *ListChannelsArgs) listing() string {
	return paging.Listing(cmp.Or(a.Limit, adaclient.MaxPageSize), []string{a.channelType()}, []string{a.Modality})
}

// NextCursor is the next_cursor to hand out for Ada's cursor of the next page.
func (a *ListChannelsArgs) NextCursor(adaCursor string) string {
	return paging.ListingCursor(adaCursor, a.listing())
}

// Options converts the arguments, defaulting type to custom.
func (a *ListChannelsArgs) Options() *adaclient.ListChannelsOptions {
	return &adaclient.ListChannelsOptions{Type: a.channelType(), Modality: a.Modality, ListOptions: adaclient.ListOptions{Limit: a.Limit, Cursor: a.page}}
}

// ListChannelsResult is list_channels' result.
type ListChannelsResult struct {
	Channels []Channel `json:"channels" jsonschema:"required"`
	// MetadataTruncated names the channels whose metadata the list cut.
	MetadataTruncated []string `json:"metadata_truncated,omitempty" jsonschema_description:"channel_ids whose metadata was cut to about 1 KB here."`
	Page
}

// CreateChannelArgs are create_channel's arguments.
type CreateChannelArgs struct {
	Name        string   `json:"name" jsonschema:"required"`
	Description string   `json:"description" jsonschema:"required"`
	Modality    string   `json:"modality" jsonschema:"required,enum=messaging,enum=email,enum=voice,enum=sms" jsonschema_description:"The AI Agent writes in this style."`
	Metadata    Metadata `json:"metadata,omitempty" jsonschema_description:"Max 4 KB."`
	Markdown    bool     `json:"markdown,omitempty" jsonschema_description:"Keep Markdown in the AI Agent's replies."`
}

// Request converts the arguments.
func (a *CreateChannelArgs) Request() *adaclient.CreateChannelRequest {
	req := &adaclient.CreateChannelRequest{Name: a.Name, Description: a.Description, Modality: a.Modality, Metadata: a.Metadata}
	if a.Markdown {
		req.Capabilities = &adaclient.Capabilities{Markdown: true}
	}
	return req
}

// CreateChannelResult is create_channel's result.
type CreateChannelResult struct {
	Channel Channel `json:"channel" jsonschema:"required"`
}

// UpdateChannelArgs are update_channel's arguments.
type UpdateChannelArgs struct {
	ChannelID string `json:"channel_id" jsonschema:"required"`
	Markdown  bool   `json:"markdown" jsonschema:"required" jsonschema_description:"Keep Markdown in the AI Agent's replies."`
}

// Request converts the arguments.
func (a *UpdateChannelArgs) Request() *adaclient.UpdateChannelRequest {
	markdown := a.Markdown
	return &adaclient.UpdateChannelRequest{Capabilities: adaclient.UpdateCapabilities{Markdown: &markdown}}
}

// UpdateChannelResult is update_channel's result.
type UpdateChannelResult struct {
	Channel Channel `json:"channel" jsonschema:"required"`
}
