package adaclient

import (
	"context"
	"net/http"
	"net/url"
)

// ChannelsService is Ada's channels API (/v2/channels/).
type ChannelsService struct{ c *Client }

// Channel types and modalities Ada documents. Responses may carry others.
const (
	ChannelTypeCustom = "custom"
	ChannelTypeNative = "native"

	ModalityMessaging = "messaging"
	ModalityEmail     = "email"
	ModalityVoice     = "voice"
	ModalitySMS       = "sms"
)

// Channel is a custom or native channel; native channels have no metadata
// or created_at.
type Channel struct {
	Type         string         `json:"type"`
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	Modality     string         `json:"modality"`
	Capabilities *Capabilities  `json:"capabilities,omitempty"`
	Metadata     map[string]any `json:"metadata,omitempty"`
	CreatedAt    string         `json:"created_at,omitempty"`
}

// Capabilities of a channel. Markdown keeps bold, italics and links in the
// AI Agent's replies instead of plain text.
type Capabilities struct {
	Markdown bool `json:"markdown"`
}

// ListChannelsOptions filters GET /v2/channels/. Type is required by Ada.
type ListChannelsOptions struct {
	Type     string // custom or native
	Modality string // optional
	ListOptions
}

// CreateChannelRequest is the body of POST /v2/channels/. Description is
// always sent (Ada requires the field) and may be "".
type CreateChannelRequest struct {
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	Modality     string         `json:"modality"`
	Metadata     map[string]any `json:"metadata,omitempty"`
	Capabilities *Capabilities  `json:"capabilities,omitempty"`
}

// List returns one page of channels of the given type.
func (s *ChannelsService) List(ctx context.Context, opts *ListChannelsOptions) ([]Channel, *Response, error) {
	if opts == nil || opts.Type == "" {
		return nil, nil, invalid("type", "is required: %q or %q", ChannelTypeCustom, ChannelTypeNative)
	}
	q := url.Values{"type": {opts.Type}}
	if opts.Modality != "" {
		q.Set("modality", opts.Modality)
	}
	q, err := opts.ListOptions.values(q)
	if err != nil {
		return nil, nil, err
	}
	return list[Channel](s.c, ctx, "/v2/channels/", q)
}

// Create creates a custom channel (Ada allows 100 per account per day).
// Not idempotent: it is never repeated once it may have reached Ada.
func (s *ChannelsService) Create(ctx context.Context, req *CreateChannelRequest) (*Channel, *Response, error) {
	if req == nil {
		req = &CreateChannelRequest{}
	}
	// Description is required but may be empty: Ada's CustomChannel declares
	// it a plain string (no minLength), and it is always sent.
	for _, f := range []struct{ name, v string }{{"name", req.Name}, {"modality", req.Modality}} {
		if err := requireText(f.name, f.v); err != nil {
			return nil, nil, err
		}
	}
	if err := validateMetadata("metadata", req.Metadata, objectMetadata, false); err != nil {
		return nil, nil, err
	}
	var ch Channel
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: "/v2/channels/", body: req, mode: notIdempotent}, &ch)
	if err != nil {
		return nil, r, err
	}
	return &ch, r, nil
}

// UpdateChannelRequest is the body of PATCH /v2/channels/{channel_id}:
// the capabilities to change (fields left nil keep their value).
type UpdateChannelRequest struct {
	Capabilities UpdateCapabilities `json:"capabilities"`
}

// UpdateCapabilities are the capabilities a PATCH changes.
type UpdateCapabilities struct {
	Markdown *bool `json:"markdown,omitempty"`
}

// Update changes a custom channel's capabilities and returns the channel.
// Native channels are read-only: Ada answers 400. Idempotent (a PATCH).
func (s *ChannelsService) Update(ctx context.Context, channelID string, req *UpdateChannelRequest) (*Channel, *Response, error) {
	if err := validateID("channel_id", channelID); err != nil {
		return nil, nil, err
	}
	if req == nil || req.Capabilities.Markdown == nil {
		return nil, nil, invalid("capabilities", "must change at least one capability (markdown)")
	}
	var ch Channel
	r, err := s.c.do(ctx, call{method: http.MethodPatch, path: "/v2/channels/" + pathEscape(channelID), body: req, mode: idempotent}, &ch)
	if err != nil {
		return nil, r, err
	}
	return &ch, r, nil
}
