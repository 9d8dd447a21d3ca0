package adasim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Loading a State (see State for the rules) into a fresh simulator (Sim.build).

// stateError is an invalid State; path is the JSON path of the item and field at fault.
type stateError struct{ path, msg string }

func (e *stateError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

func stateErr(path, format string, args ...any) error {
	return &stateError{path: path, msg: fmt.Sprintf(format, args...)}
}

// within re-roots an API validation error (whose details name the field) under path.
func within(path string, err *apiError) error {
	field, _ := err.details.(string)
	return stateErr(join(path, field), "%s", strings.TrimSuffix(err.message, "."))
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	if field == "" {
		return path
	}
	return path + "." + field
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// stateIDPattern: loaded ids go into URL paths and cursors, so they are kept plain.
var stateIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`) })

// sensitivePlaceholder is the value a key listed in sensitive_metadata_keys gets: a dump
// names the keys only.
const sensitivePlaceholder = "(loaded without its value)"

// loader loads one State; the first error stops it.
type loader struct {
	s           *Sim
	owners      map[string]string // id → the item that has it
	externalIDs map[string]string // externalIDKey → the end user that has it
	latest      time.Time         // the latest time loaded
}

// load loads st into s, a fresh simulator that no one else sees yet (so without mu). It
// emits no events.
func (s *Sim) load(st State) error {
	l := &loader{s: s, owners: map[string]string{}, externalIDs: map[string]string{}}
	seededDefault := s.defaultChannelID
	if st.Channels != nil {
		for _, ch := range s.channels.order {
			delete(s.usedIDs, ch.id) // a dump lists the seeded channels with their ids
		}
		s.channels = newChannelStore()
	}
	// Every given id is claimed before any is generated, so generated ones never collide.
	if err := l.claimIDs(st); err != nil {
		return err
	}
	for i, ch := range st.Channels {
		if err := l.channel(index("channels", i), ch); err != nil {
			return err
		}
	}
	for i, u := range st.EndUsers {
		if err := l.endUser(index("end_users", i), u); err != nil {
			return err
		}
	}
	for i, cv := range st.Conversations {
		if err := l.conversation(index("conversations", i), cv); err != nil {
			return err
		}
	}
	s.defaultChannelID = s.pickDefaultChannel(seededDefault)
	s.clock.passed(l.latest)
	return nil
}

func (l *loader) claimIDs(st State) error {
	type claim struct{ id, item, field string }
	var claims []claim
	for i, ch := range st.Channels {
		claims = append(claims, claim{ch.ID, index("channels", i), "id"})
	}
	for i, u := range st.EndUsers {
		claims = append(claims, claim{u.EndUserID, index("end_users", i), "end_user_id"})
	}
	for i, cv := range st.Conversations {
		item := index("conversations", i)
		claims = append(claims, claim{cv.ID, item, "id"})
		for j, m := range cv.Messages {
			claims = append(claims, claim{m.MessageID, index(item+".messages", j), "message_id"})
		}
	}
	for _, c := range claims {
		if c.id == "" {
			continue
		}
		path := join(c.item, c.field)
		if !stateIDPattern().MatchString(c.id) {
			return stateErr(path, "%q is not a valid id: 1-64 characters among A-Z a-z 0-9 _ -", c.id)
		}
		if owner, taken := l.owners[c.id]; taken {
			return stateErr(path, "%q is already used by %s", c.id, owner)
		}
		if _, seeded := l.s.usedIDs[c.id]; seeded {
			return stateErr(path, "%q is already used by a seeded channel", c.id)
		}
		l.owners[c.id] = c.item
		l.s.usedIDs[c.id] = struct{}{}
	}
	return nil
}

// time reads a loaded time: Ada's layout or RFC 3339. Empty is fallback, or when fallback is
// zero, a tick of the clock.
func (l *loader) time(path, v string, fallback time.Time) (time.Time, error) {
	t := fallback
	switch {
	case v != "":
		parsed, err := time.Parse(time.RFC3339Nano, v) // also reads Ada's layout
		if err != nil {
			return time.Time{}, stateErr(path, "%q is not a time: write 2026-01-01T00:00:00.000000+00:00 or RFC 3339", v)
		}
		t = parsed.UTC().Truncate(time.Microsecond)
	case t.IsZero():
		t = l.s.clock.Tick()
	}
	if t.After(l.latest) {
		l.latest = t
	}
	return t, nil
}

// passed moves a logical clock past t, so that what happens after a load is later than
// anything loaded.
func (c *clock) passed(t time.Time) {
	if c.logical && !t.Before(c.next) {
		c.next = t.Truncate(logicalStep).Add(logicalStep)
	}
}

func (l *loader) channel(path string, in StateChannel) error {
	ch := &channel{id: in.ID, typ: cmp.Or(in.Type, channelTypeCustom), name: in.Name, description: in.Description,
		modality: cmp.Or(in.Modality, "messaging"), markdown: in.Capabilities.Markdown}
	switch {
	case ch.typ != channelTypeCustom && ch.typ != channelTypeNative:
		return stateErr(path+".type", "%q is not a channel type: custom or native", ch.typ)
	case ch.name == "":
		return stateErr(path+".name", "is required")
	case !slices.Contains(modalities, ch.modality):
		return stateErr(path+".modality", "%q is not a modality: messaging, email, voice or sms", ch.modality)
	}
	if ch.typ == channelTypeNative {
		if len(in.Metadata) > 0 {
			return stateErr(path+".metadata", "a native channel has no metadata")
		}
		if in.CreatedAt != "" {
			return stateErr(path+".created_at", "a native channel has no created_at")
		}
		ch.createdAt = l.s.clock.Tick()
	} else {
		var err error
		if ch.metadata, err = loadMetadata(path+".metadata", in.Metadata, true, otherMetadataMaxBytes); err != nil {
			return err
		}
		if ch.createdAt, err = l.time(path+".created_at", in.CreatedAt, time.Time{}); err != nil {
			return err
		}
	}
	l.s.addChannel(ch)
	return nil
}

func (l *loader) endUser(path string, in StateEndUser) error {
	u := &endUser{id: in.EndUserID, sensitive: map[string]sensitiveValue{}}
	if in.ExternalID != nil {
		v := *in.ExternalID
		if err := validateExternalID(v, "external_id"); err != nil {
			return within(path, err)
		}
		key := externalIDKey(v)
		if owner, taken := l.externalIDs[key]; taken {
			return stateErr(path+".external_id", "%q is already used by %s", v, owner)
		}
		l.externalIDs[key] = path
		u.externalID = &v
	}
	if err := loadProfile(path+".profile", in.Profile, &u.profile); err != nil {
		return err
	}
	if err := loadSensitive(path, in, u.sensitive); err != nil {
		return err
	}
	var err error
	if u.createdAt, err = l.time(path+".created_at", in.CreatedAt, time.Time{}); err != nil {
		return err
	}
	if u.updatedAt, err = l.time(path+".updated_at", in.UpdatedAt, u.createdAt); err != nil {
		return err
	}
	l.s.storeEndUser(u) // not expiring: fixtures are permanent
	if u.externalID != nil {
		l.s.endUsers.byExternalID[externalIDKey(*u.externalID)] = u
	}
	return nil
}

func loadProfile(path string, in StateProfile, p *profile) error {
	from := []*string{in.FirstName, in.LastName, in.DisplayName, in.Avatar, in.Email, in.Language}
	for i, f := range p.stringFields() {
		*f.ptr = copyString(from[i])
	}
	if in.SystemProperties.SunshineUserID != nil {
		return stateErr(path+".system_properties.sunshine_user_id", "must be null: the simulator has no Sunshine users")
	}
	var err error
	p.metadata, err = loadMetadata(path+".metadata", in.Metadata, false, endUserMetadataMaxBytes)
	return err
}

// loadSensitive reads sensitive_metadata (values) and sensitive_metadata_keys (placeholders)
// into out. No error repeats a value: it may be a secret.
func loadSensitive(path string, in StateEndUser, out map[string]sensitiveValue) error {
	for i, k := range in.SensitiveMetadataKeys {
		field := index(path+".sensitive_metadata_keys", i)
		if !sensitiveKeyPattern().MatchString(k) {
			return stateErr(field, "%q is not a valid key: keys match [A-Za-z0-9_-]+", k)
		}
		if _, dup := out[k]; dup {
			return stateErr(field, "%q is listed twice", k)
		}
		out[k] = sensitiveValue{value: sensitivePlaceholder, permanent: true}
	}
	for _, k := range slices.Sorted(maps.Keys(in.SensitiveMetadata)) {
		field := path + ".sensitive_metadata." + k
		if !sensitiveKeyPattern().MatchString(k) {
			return stateErr(path+".sensitive_metadata", "%q is not a valid key: keys match [A-Za-z0-9_-]+", k)
		}
		v, ok := scalarValue(in.SensitiveMetadata[k], false)
		if !ok || v == "" {
			return stateErr(field, "values must be non-empty strings, booleans or integers")
		}
		out[k] = sensitiveValue{value: v, permanent: true}
	}
	return nil
}

// loadMetadata checks loaded metadata as the API does (its value types, at most maxBytes) and
// copies it, integers as int64.
func loadMetadata(path string, in map[string]any, allowFloat bool, maxBytes int) (map[string]any, error) {
	out := make(map[string]any, len(in))
	for _, k := range slices.Sorted(maps.Keys(in)) {
		v, ok := scalarValue(in[k], allowFloat)
		if !ok {
			return nil, stateErr(path+"."+k, "values may only be %s", metadataRules{allowFloat: allowFloat}.allowedTypes())
		}
		out[k] = v
	}
	if metadataSize(out) > maxBytes {
		return nil, stateErr(path, "exceeds the maximum size of %d KB", maxBytes>>10)
	}
	return out, nil
}

// scalarValue is a metadata value as the API stores it: a string, a boolean, an int64, or
// when allowFloat a finite float64. Go callers may give any integer or float type.
func scalarValue(v any, allowFloat bool) (any, bool) {
	switch v := v.(type) {
	case string, bool:
		return v, true
	case json.Number:
		parsed, _ := decodeScalar(json.RawMessage(v))
		switch parsed.(type) {
		case int64, float64:
			return scalarValue(parsed, allowFloat)
		}
		return nil, false
	case float64:
		return v, allowFloat && !math.IsNaN(v) && !math.IsInf(v, 0)
	case float32:
		return scalarValue(float64(v), allowFloat)
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return rv.Int(), true
	case rv.CanUint() && rv.Uint() <= math.MaxInt64:
		return int64(rv.Uint()), true
	}
	return nil, false
}

func (l *loader) conversation(path string, in StateConversation) error {
	s := l.s
	ch, u := s.channels.byID[in.ChannelID], s.endUsers.byID[in.EndUserID]
	status := cmp.Or(in.Status, statusActive)
	switch {
	case in.ChannelID == "":
		return stateErr(path+".channel_id", "is required")
	case ch == nil:
		return stateErr(path+".channel_id", "%q is not a channel of this state", in.ChannelID)
	case ch.typ != channelTypeCustom && ch.modality != "email":
		// Email conversations (POST /v2/conversations/email/) are on the native Email channel.
		return stateErr(path+".channel_id", "%q is a native channel: conversations are on custom channels or the native Email channel", in.ChannelID)
	case in.EndUserID == "":
		return stateErr(path+".end_user_id", "is required")
	case u == nil:
		return stateErr(path+".end_user_id", "%q is not an end user of this state", in.EndUserID)
	case status != statusActive && status != statusEnded:
		return stateErr(path+".status", "%q is not a status: active or ended", status)
	case in.Handoff && status == statusEnded:
		return stateErr(path+".handoff", "an ended conversation is not in a handoff")
	}
	metadata, err := loadMetadata(path+".metadata", in.Metadata, true, otherMetadataMaxBytes)
	if err != nil {
		return err
	}
	cv := &conversation{id: in.ID, channelID: ch.id, endUserID: u.id, status: status, metadata: metadata, handoff: in.Handoff}
	if cv.createdAt, err = l.time(path+".created_at", in.CreatedAt, time.Time{}); err != nil {
		return err
	}
	if cv.updatedAt, err = l.time(path+".updated_at", in.UpdatedAt, cv.createdAt); err != nil {
		return err
	}
	if cv.id == "" {
		cv.id = s.newID()
	}
	var previous time.Time
	for i, in := range in.Messages {
		m, err := l.message(index(path+".messages", i), cv, in, previous)
		if err != nil {
			return err
		}
		cv.addMessage(m)
		previous = m.createdAt
	}
	u.attach()
	s.conversations[cv.id] = cv
	s.conversationOrder = append(s.conversationOrder, cv)
	return nil
}

func (l *loader) message(path string, cv *conversation, in StateMessage, previous time.Time) (*message, error) {
	if in.Type != "" && in.Type != "message_logs" {
		return nil, stateErr(path+".type", "%q is not a message type: message_logs, or leave it out", in.Type)
	}
	a := in.Author
	m := &message{id: in.MessageID, role: a.Role, avatar: copyString(a.Avatar), displayName: copyString(a.DisplayName), visible: true}
	switch a.Role {
	case roleEndUser:
		switch {
		case a.ID == nil:
			id := cv.endUserID
			m.authorID = &id
		case *a.ID != cv.endUserID:
			return nil, stateErr(path+".author.id", "%q is not the conversation's end user (%s)", *a.ID, cv.endUserID)
		default:
			m.authorID = copyString(a.ID)
		}
	case roleAIAgent, roleHumanAgent:
		if a.ID != nil {
			return nil, stateErr(path+".author.id", "must be null: only an end user's messages have an author id")
		}
		if a.Role == roleAIAgent && m.displayName == nil {
			name := aiAgentDisplayName
			m.displayName = &name
		}
	case "":
		return nil, stateErr(path+".author.role", "is required: end_user, ai_agent or human_agent")
	default:
		return nil, stateErr(path+".author.role", "%q is not a role: end_user, ai_agent or human_agent", a.Role)
	}
	var err error
	if m.content, err = loadContent(path+".content", in.Content); err != nil {
		return nil, err
	}
	var fallback time.Time
	if in.CreatedAt == "" {
		fallback = later(l.s.clock.Tick(), previous) // not before the previous message
	}
	if m.createdAt, err = l.time(path+".created_at", in.CreatedAt, fallback); err != nil {
		return nil, err
	}
	if m.createdAt.Before(previous) {
		return nil, stateErr(path+".created_at", "%s is before the previous message: messages are in chronological order", in.CreatedAt)
	}
	if m.id == "" {
		m.id = l.s.newID()
	}
	return m, nil
}

// loadContent checks a message's content as the API does, and keeps only its type's fields.
func loadContent(path string, in StateContent) (messageContent, error) {
	switch in.Type {
	case contentText:
		if strings.TrimSpace(in.Body) == "" {
			return messageContent{}, stateErr(path+".body", "must not be empty")
		}
		return messageContent{Type: in.Type, Body: in.Body}, nil
	case contentFile:
		for _, f := range []struct{ name, value string }{{"url", in.URL}, {"mime_type", in.MimeType}, {"filename", in.Filename}} {
			if f.value == "" {
				return messageContent{}, stateErr(path+"."+f.name, "must not be empty")
			}
		}
		if !isHTTPURL(in.URL) {
			return messageContent{}, stateErr(path+".url", "must be an absolute http(s) URL")
		}
		return messageContent{Type: in.Type, URL: in.URL, MimeType: in.MimeType, Filename: in.Filename}, nil
	case contentLink:
		if !isHTTPURL(in.URL) {
			return messageContent{}, stateErr(path+".url", "must be an absolute http(s) URL")
		}
		return messageContent{Type: in.Type, URL: in.URL, LinkText: copyString(in.LinkText)}, nil
	case "":
		return messageContent{}, stateErr(path+".type", "is required: text, file or link")
	}
	return messageContent{}, stateErr(path+".type", "%q is not a content type: text, file or link", in.Type)
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// pickDefaultChannel is the seeded "Sandbox chat" if the state still has it, else the first
// custom messaging channel, else "".
func (s *Sim) pickDefaultChannel(seeded string) string {
	usable := func(ch *channel) bool {
		return ch != nil && ch.typ == channelTypeCustom && ch.modality == "messaging"
	}
	if usable(s.channels.byID[seeded]) {
		return seeded
	}
	if i := slices.IndexFunc(s.channels.order, usable); i >= 0 {
		return s.channels.order[i].id
	}
	return ""
}
