package adasim

// The data of the webhook events the simulator emits (ada-api.md section 2, "Webhook
// payloads"; the End Users events carry the EndUser itself). Options.OnEvent receives them,
// and delivery.go sends them to the webhook endpoints.

type conversationCreatedData struct {
	ConversationID string         `json:"conversation_id"`
	ChannelID      string         `json:"channel_id"`
	CreatedAt      string         `json:"created_at"`
	EndUserID      string         `json:"end_user_id"`
	Metadata       map[string]any `json:"metadata"`
	AIAgentDomain  string         `json:"ai_agent_domain"`
}

type conversationMessageData struct {
	MessageID          string         `json:"message_id"`
	ConversationID     string         `json:"conversation_id"`
	EndUserID          string         `json:"end_user_id"`
	HandoffIntegration *string        `json:"handoff_integration"` // null when the message is for the AI Agent
	Channel            any            `json:"channel"`
	CreatedAt          string         `json:"created_at"`
	Author             authorJSON     `json:"author"`
	Content            messageContent `json:"content"`
	AIAgentDomain      string         `json:"ai_agent_domain"`
}

type endedByJSON struct {
	ID   *string `json:"id"`
	Role string  `json:"role"`
}

type conversationEndedData struct {
	ConversationID string         `json:"conversation_id"`
	ChannelID      string         `json:"channel_id"`
	EndUserID      string         `json:"end_user_id"`
	CreatedAt      string         `json:"created_at"`
	UpdatedAt      string         `json:"updated_at"`
	EndedBy        endedByJSON    `json:"ended_by"`
	Metadata       map[string]any `json:"metadata"`
	AIAgentDomain  string         `json:"ai_agent_domain"`
}

type handoffEndedData struct {
	ConversationID     string `json:"conversation_id"`
	EndUserID          string `json:"end_user_id"`
	HandoffIntegration string `json:"handoff_integration"`
	AIAgentDomain      string `json:"ai_agent_domain"`
}
