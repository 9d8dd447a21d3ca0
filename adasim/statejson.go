package adasim

import (
	"encoding/json"
	"maps"
	"slices"
	"sync"
)

// Strict decoding of a State from JSON: every error names its JSON path, and none repeats a
// value (a sensitive_metadata value may be a secret). What a value means is checked by the
// loader (stateload.go), for Go callers too.

// The fields each object of a State may have.
var (
	stateFields        = []string{"end_users", "channels", "conversations"}
	endUserFields      = []string{"end_user_id", "external_id", "profile", "created_at", "updated_at", "sensitive_metadata", "sensitive_metadata_keys"}
	profileFields      = []string{"first_name", "last_name", "display_name", "avatar", "email", "language", "metadata", "system_properties"}
	channelFields      = []string{"type", "id", "name", "description", "modality", "capabilities", "metadata", "created_at"}
	conversationFields = []string{"id", "channel_id", "end_user_id", "status", "created_at", "updated_at", "metadata", "handoff", "messages"}
	messageFields      = []string{"type", "message_id", "created_at", "author", "content"}
	authorFields       = []string{"id", "role", "avatar", "display_name"}
)

// contentFields is by content type; an unknown type is the loader's error.
var contentFields = sync.OnceValue(func() map[string][]string {
	return map[string][]string{
		contentText: {"type", "body"},
		contentFile: {"type", "url", "mime_type", "filename"},
		contentLink: {"type", "url", "link_text"},
	}
})

// UnmarshalJSON decodes a State strictly: an unknown field or a value of the wrong type is an
// error naming its JSON path. null is the same as a field left out.
func (st *State) UnmarshalJSON(data []byte) error {
	d := &stateDecoder{}
	top := d.object(data, "", stateFields)
	if top == nil && d.err == nil {
		return nil // null: nothing to decode
	}
	out := State{
		EndUsers:      decodeItems(d, top, "end_users", "", d.endUser),
		Channels:      decodeItems(d, top, "channels", "", d.channel),
		Conversations: decodeItems(d, top, "conversations", "", d.conversation),
	}
	if d.err != nil {
		return d.err
	}
	*st = out
	return nil
}

// stateDecoder keeps the first error; after it, its methods do nothing.
type stateDecoder struct{ err error }

func (d *stateDecoder) fail(path, format string, args ...any) {
	if d.err == nil && path == "" {
		format = "the state " + format
	}
	if d.err == nil {
		d.err = stateErr(path, format, args...)
	}
}

// object decodes an object whose keys are all in fields; nil when raw is absent or null.
func (d *stateDecoder) object(raw json.RawMessage, path string, fields []string) jsonObject {
	if d.err != nil || raw == nil || isNull(raw) {
		return nil
	}
	var obj jsonObject
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		d.fail(path, "must be an object")
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(fields, k) {
			d.fail(join(path, k), "unknown field")
			return nil
		}
	}
	return obj
}

// decodeItems decodes the array obj[key], each item with item. It is nil when absent or null,
// and not nil (maybe empty) otherwise.
func decodeItems[T any](d *stateDecoder, obj jsonObject, key, path string, item func(json.RawMessage, string) T) []T {
	raw, ok := obj[key]
	if d.err != nil || !ok || isNull(raw) {
		return nil
	}
	path = join(path, key)
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || items == nil {
		d.fail(path, "must be an array")
		return nil
	}
	out := make([]T, 0, len(items))
	for i, r := range items {
		if isNull(r) {
			d.fail(index(path, i), "must be an object")
		}
		out = append(out, item(r, index(path, i)))
	}
	return out
}

// optString decodes a string|null field: nil when absent or null.
func (d *stateDecoder) optString(obj jsonObject, key, path string) *string {
	raw, ok := obj[key]
	if d.err != nil || !ok || isNull(raw) {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		d.fail(join(path, key), "must be a string")
		return nil
	}
	return &s
}

// str decodes a string field: "" when absent or null.
func (d *stateDecoder) str(obj jsonObject, key, path string) string {
	if s := d.optString(obj, key, path); s != nil {
		return *s
	}
	return ""
}

func (d *stateDecoder) boolean(obj jsonObject, key, path string) bool {
	raw, ok := obj[key]
	if d.err != nil || !ok || isNull(raw) {
		return false
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		d.fail(join(path, key), "must be a boolean")
	}
	return b
}

func (d *stateDecoder) strs(obj jsonObject, key, path string) []string {
	raw, ok := obj[key]
	if d.err != nil || !ok || isNull(raw) {
		return nil
	}
	var ss []string
	if json.Unmarshal(raw, &ss) != nil {
		d.fail(join(path, key), "must be an array of strings")
	}
	return ss
}

// scalars decodes an object of strings, booleans and numbers (integers as int64), as metadata
// values are; which of them a field accepts is the loader's check.
func (d *stateDecoder) scalars(obj jsonObject, key, path string) map[string]any {
	raw, ok := obj[key]
	if d.err != nil || !ok || isNull(raw) {
		return nil
	}
	path = join(path, key)
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		d.fail(path, "must be an object")
		return nil
	}
	out := make(map[string]any, len(fields))
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v, ok := decodeScalar(fields[k])
		if !ok || v == nil {
			d.fail(path+"."+k, "must be a string, a boolean or a number")
			return nil
		}
		out[k] = v
	}
	return out
}

func (d *stateDecoder) endUser(raw json.RawMessage, path string) StateEndUser {
	obj := d.object(raw, path, endUserFields)
	u := StateEndUser{
		EndUserID:             d.str(obj, "end_user_id", path),
		ExternalID:            d.optString(obj, "external_id", path),
		CreatedAt:             d.str(obj, "created_at", path),
		UpdatedAt:             d.str(obj, "updated_at", path),
		SensitiveMetadata:     d.scalars(obj, "sensitive_metadata", path),
		SensitiveMetadataKeys: d.strs(obj, "sensitive_metadata_keys", path),
	}
	path = join(path, "profile")
	p := d.object(obj["profile"], path, profileFields)
	u.Profile = StateProfile{
		FirstName:   d.optString(p, "first_name", path),
		LastName:    d.optString(p, "last_name", path),
		DisplayName: d.optString(p, "display_name", path),
		Avatar:      d.optString(p, "avatar", path),
		Email:       d.optString(p, "email", path),
		Language:    d.optString(p, "language", path),
		Metadata:    d.scalars(p, "metadata", path),
	}
	path = join(path, "system_properties")
	sp := d.object(p["system_properties"], path, []string{"sunshine_user_id"})
	u.Profile.SystemProperties.SunshineUserID = d.optString(sp, "sunshine_user_id", path)
	return u
}

func (d *stateDecoder) channel(raw json.RawMessage, path string) StateChannel {
	obj := d.object(raw, path, channelFields)
	ch := StateChannel{
		Type:        d.str(obj, "type", path),
		ID:          d.str(obj, "id", path),
		Name:        d.str(obj, "name", path),
		Description: d.str(obj, "description", path),
		Modality:    d.str(obj, "modality", path),
		Metadata:    d.scalars(obj, "metadata", path),
		CreatedAt:   d.str(obj, "created_at", path),
	}
	caps := d.object(obj["capabilities"], join(path, "capabilities"), []string{"markdown"})
	ch.Capabilities.Markdown = d.boolean(caps, "markdown", join(path, "capabilities"))
	return ch
}

func (d *stateDecoder) conversation(raw json.RawMessage, path string) StateConversation {
	obj := d.object(raw, path, conversationFields)
	return StateConversation{
		ID:        d.str(obj, "id", path),
		ChannelID: d.str(obj, "channel_id", path),
		EndUserID: d.str(obj, "end_user_id", path),
		Status:    d.str(obj, "status", path),
		CreatedAt: d.str(obj, "created_at", path),
		UpdatedAt: d.str(obj, "updated_at", path),
		Metadata:  d.scalars(obj, "metadata", path),
		Handoff:   d.boolean(obj, "handoff", path),
		Messages:  decodeItems(d, obj, "messages", path, d.message),
	}
}

func (d *stateDecoder) message(raw json.RawMessage, path string) StateMessage {
	obj := d.object(raw, path, messageFields)
	m := StateMessage{
		Type:      d.str(obj, "type", path),
		MessageID: d.str(obj, "message_id", path),
		CreatedAt: d.str(obj, "created_at", path),
	}
	authorPath := join(path, "author")
	a := d.object(obj["author"], authorPath, authorFields)
	m.Author = StateAuthor{
		ID:          d.optString(a, "id", authorPath),
		Role:        d.str(a, "role", authorPath),
		Avatar:      d.optString(a, "avatar", authorPath),
		DisplayName: d.optString(a, "display_name", authorPath),
	}
	path = join(path, "content")
	all := slices.Concat(contentFields()[contentFile], contentFields()[contentLink], []string{"body"})
	c := d.object(obj["content"], path, all)
	m.Content.Type = d.str(c, "type", path)
	if fields, known := contentFields()[m.Content.Type]; known {
		c = d.object(obj["content"], path, fields) // only the type's own fields
	}
	m.Content.Body = d.str(c, "body", path)
	m.Content.URL = d.str(c, "url", path)
	m.Content.MimeType = d.str(c, "mime_type", path)
	m.Content.Filename = d.str(c, "filename", path)
	m.Content.LinkText = d.optString(c, "link_text", path)
	return m
}
