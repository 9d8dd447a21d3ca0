package tools_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/testclient"
)

// Canaries: none may appear in any result, error message or log line.
var (
	sensitiveToken   = "tok_live_9f8e7d6c5b4a3210"
	sensitiveSession = "sess-abcdef1234567890"
	jwt              = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	card             = "4111 1111 1111 1111"
	webhookSecret    = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	metadataPassword = "hunter2-correct-horse"
	sensitiveNumber  = "9007199254740993" // above 2^53: only exact digits find it in an echo
)

func canaries() map[string]string {
	return map[string]string{
		"API key": apiKey, "sensitive token": sensitiveToken, "sensitive session": sensitiveSession,
		"JWT": jwt, "card": card, "card digits": strings.ReplaceAll(card, " ", ""), "webhook secret": webhookSecret,
		"secret-keyed metadata": metadataPassword, "sensitive number": sensitiveNumber,
	}
}

func assertClean(t *testing.T, where, text string) {
	t.Helper()
	for name, secret := range canaries() {
		if strings.Contains(text, secret) {
			t.Errorf("%s leaks the %s: %s", where, name, text)
		}
	}
}

// everyTool calls each tool with canaries in its arguments.
func everyTool(ids map[string]string) []struct {
	tool string
	args map[string]any
} {
	sensitive := map[string]any{"auth_token": sensitiveToken, "session_id": sensitiveSession, "account_no": json.Number(sensitiveNumber)}
	secretMeta := map[string]any{"password": metadataPassword, "note": "card " + card, "hook": webhookSecret}
	profile := map[string]any{"first_name": "Ana", "metadata": map[string]any{"api_token": metadataPassword, "plan": "gold"}}
	return []struct {
		tool string
		args map[string]any
	}{
		{"lookup_end_user", map[string]any{"end_user_id": ids["user"]}},
		{"list_end_users", map[string]any{}},
		{"upsert_end_user", map[string]any{"external_id": "canary-1", "profile": profile, "sensitive_metadata": sensitive}},
		{"upsert_end_user", map[string]any{"end_user_id": ids["user"], "profile": profile, "sensitive_metadata": sensitive}},
		{"update_end_user", map[string]any{"end_user_id": ids["user"], "profile": profile, "sensitive_metadata": sensitive}},
		{"list_channels", map[string]any{}},
		{"create_channel", map[string]any{"name": "Canary", "description": "d " + jwt, "modality": "messaging", "metadata": secretMeta}},
		{"start_conversation", map[string]any{"end_user_id": ids["user"], "metadata": secretMeta}},
		{"get_conversation", map[string]any{"conversation_id": ids["conversation"]}},
		{"update_conversation_metadata", map[string]any{"conversation_id": ids["conversation"], "metadata": secretMeta}},
		{"send_message", map[string]any{"conversation_id": ids["conversation"], "body": "my card is " + card + " and token Bearer " + jwt, "wait_for_reply_seconds": 2}},
		{"list_messages", map[string]any{"conversation_id": ids["conversation"]}},
		{"send_message", map[string]any{"conversation_id": ids["conversation"], "body": "I need a human agent", "author_id": ids["user"]}},
		{"upload_attachment", map[string]any{"conversation_id": ids["conversation"], "filename": "note.txt", "send_as": "human_agent", "display_name": "Sam",
			"content_base64": base64.StdEncoding.EncodeToString([]byte("card " + card + " token " + jwt))}},
		{"end_handoff", map[string]any{"conversation_id": ids["conversation"]}},
		{"update_channel", map[string]any{"channel_id": ids["channel"], "markdown": true}},
		{"start_email_conversation", map[string]any{"name": "Ana", "subject": "card " + card, "reply_to": "ana@example.com",
			"text": "token Bearer " + jwt, "metadata": secretMeta}},
		{"end_conversation", map[string]any{"conversation_id": ids["conversation"]}},
	}
}

func TestResultsNeverCarrySecrets(t *testing.T) {
	h := newHarness(t, harnessOpts{allowCustomer: true})
	up := h.OK("upsert_end_user", map[string]any{"external_id": "canary-0"})
	user := str(up, "end_user", "end_user_id")
	conv := str(h.OK("start_conversation", map[string]any{"end_user_id": user}), "conversation_id")
	ids := map[string]string{"user": user, "conversation": conv, "channel": h.sim.DefaultChannelID()}
	for _, c := range everyTool(ids) {
		res := h.Call(c.tool, c.args)
		text := testclient.Text(res)
		if res.IsError {
			t.Errorf("%s failed: %s", c.tool, text)
		}
		b, _ := json.Marshal(res.StructuredContent)
		assertClean(t, c.tool+" text", text)
		assertClean(t, c.tool+" structured", string(b))
	}
	// The secret-keyed values were stored but come back redacted, and the
	// sensitive keys are reported without values.
	got := h.OK("upsert_end_user", map[string]any{"end_user_id": user, "sensitive_metadata": map[string]any{"auth_token": sensitiveToken, "old": nil}})
	if fmt.Sprint(got["sensitive_metadata_keys_set"]) != "[auth_token]" || fmt.Sprint(got["sensitive_metadata_keys_removed"]) != "[old]" {
		t.Fatalf("sensitive keys = %v", got)
	}
	if v := obj(got, "end_user", "profile", "metadata")["api_token"]; v != "[REDACTED]" {
		t.Fatalf("api_token metadata = %v, want [REDACTED]", v)
	}
	if note := str(got, "redacted"); !strings.Contains(note, "stored in Ada") {
		t.Fatalf("a hidden value comes without the note that it was stored: %v", got)
	}
	if clean := h.OK("lookup_end_user", map[string]any{"external_id": "no-secrets"}); clean["redacted"] != nil {
		t.Fatalf("note on a result with nothing hidden: %v", clean)
	}
	if v := obj(got, "end_user", "profile", "metadata")["plan"]; v != "gold" {
		t.Fatalf("ordinary metadata was redacted: %v", v)
	}
	assertClean(t, "logs", h.logs.String())
}

// echoAda is a hostile Ada that repeats the request (body, headers, URL) in
// its error messages, so every error path is exercised with secrets in
// Ada's answer.
func echoAda(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		echo := fmt.Sprintf("rejected %s %s with %s: %s", r.Method, r.URL, r.Header.Get("Authorization"), body)
		w.Header().Set("Content-Type", "application/json")
		if status == 502 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprintf(w, "<html><body>%s</body></html>", echo)
			return
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"type": "bad_request", "message": echo, "details": map[string]any{"request": string(body)}}}})
	}
}

func TestErrorsNeverCarrySecrets(t *testing.T) {
	for _, status := range []int{400, 401, 409, 422, 500, 502} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			h := newHarness(t, harnessOpts{backend: echoAda(status)})
			ids := map[string]string{"user": "5f7e0e2c1e7c7e000f0f9c3a", "conversation": "5df263b7db5a7e6ea03fae9b", "channel": "5e0e9c3a1e7c7e000f0f2c1f"}
			for _, c := range everyTool(ids) {
				if c.tool == "send_message" {
					c.args["author_id"] = ids["user"] // no conversation to read the author from
				}
				msg := h.Err(c.tool, c.args)
				assertClean(t, fmt.Sprintf("%s error (Ada %d)", c.tool, status), msg)
			}
			assertClean(t, "logs", h.logs.String())
		})
	}
}

// Ada may write what it echoes with JSON escapes of its own choosing
// ("\u0061da_..." for "ada_..."), or base64-encode it (an Authorization:
// Basic header quoted back): the key is hidden in each form, and the
// error's text shows no escaped form a model could decode.
func TestErrorsHideTheKeyEscapedOrEncoded(t *testing.T) {
	sensitive := "ssn-123-45-6789-canary"
	var escaped strings.Builder
	for _, c := range apiKey[:4] {
		fmt.Fprintf(&escaped, `\u%04x`, c)
	}
	escaped.WriteString(apiKey[4:])
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		basic := base64.StdEncoding.EncodeToString([]byte(apiKey + ":"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errors":[{"message":"Authorization: Basic %s","details":{"key":"%s","ssn":"\u0073%s"}}]}`, basic, escaped.String(), sensitive[1:])
	})
	h := newHarness(t, harnessOpts{backend: backend})
	msg := h.Err("upsert_end_user", map[string]any{"external_id": "e-1", "sensitive_metadata": map[string]any{"ssn": sensitive}})
	if !strings.Contains(msg, "Authorization: Basic") {
		t.Fatalf("Ada's error did not come back: %s", msg)
	}
	for _, leak := range []string{apiKey, apiKey[4:], base64.StdEncoding.EncodeToString([]byte(apiKey))[:40], sensitive, sensitive[1:]} {
		if strings.Contains(msg, leak) {
			t.Errorf("the error shows %q: %s", leak, msg)
		}
	}
	assertClean(t, "logs", h.logs.String())
}

// A sensitive value written in one call stays hidden in later ones: here
// the end user types it into a message, the AI Agent quotes the message
// back, and the reply shows it neither in the result nor in the logs.
// TOOLS.md: its values never appear in a result, an error or a log line.
func TestSensitiveValuesStayHiddenInLaterCalls(t *testing.T) {
	h := newHarness(t, harnessOpts{events: true})
	user := str(h.OK("upsert_end_user", map[string]any{"external_id": "later-1",
		"sensitive_metadata": map[string]any{"pin_code": "VERYSECRETVALUE99"}}), "end_user", "end_user_id")
	conv := startConvWith(t, h, map[string]any{"end_user_id": user})
	res := h.Call("send_message", map[string]any{"conversation_id": conv, "body": "my code is VERYSECRETVALUE99", "wait_for_reply_seconds": 10})
	if res.IsError {
		t.Fatal(testclient.Text(res))
	}
	b, _ := json.Marshal(res.StructuredContent)
	text := testclient.Text(res)
	if strings.Contains(text+string(b)+h.logs.String(), "VERYSECRETVALUE99") {
		t.Fatalf("the value written earlier is shown:\n%s", text)
	}
	if !strings.Contains(string(b), "my code is [REDACTED]") {
		t.Fatalf("the message and its echo should show the placeholder:\n%s", b)
	}
}

// A value hidden only by its secret-looking metadata key is remembered for
// later calls when it is long enough to be a secret: a short one ("help"
// under "token") would hide that word from every later result.
func TestShortKeyedValuesAreNotRemembered(t *testing.T) {
	h := newHarness(t, harnessOpts{events: true})
	user := str(h.OK("upsert_end_user", map[string]any{"external_id": "later-2",
		"profile": map[string]any{"metadata": map[string]any{"token": "help", "api_token": "LONGKEYEDVALUE123"}}}), "end_user", "end_user_id")
	conv := startConvWith(t, h, map[string]any{"end_user_id": user})
	res := h.Call("send_message", map[string]any{"conversation_id": conv, "body": "help with LONGKEYEDVALUE123", "wait_for_reply_seconds": 10})
	if res.IsError {
		t.Fatal(testclient.Text(res))
	}
	b, _ := json.Marshal(res.StructuredContent)
	if strings.Contains(string(b), "LONGKEYEDVALUE123") {
		t.Fatalf("the long secret-keyed value written earlier is shown:\n%s", b)
	}
	if !strings.Contains(string(b), "help with [REDACTED]") {
		t.Fatalf("the short value should not be remembered, the long one should be:\n%s", b)
	}
}
