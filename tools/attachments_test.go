package tools_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ada-mcp/ada-mcp/transcript"
)

var b64 = base64.StdEncoding.EncodeToString

// download fetches an attachment's URL as a browser would: no credentials.
func download(t *testing.T, url string) []byte {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

// messageByID finds a message of the conversation.
func messageByID(t *testing.T, h *harness, cid, id string) map[string]any {
	t.Helper()
	for _, m := range list(h.OK("list_messages", map[string]any{"conversation_id": cid, "limit": 100}), "messages") {
		if mm := m.(map[string]any); mm["message_id"] == id {
			return mm
		}
	}
	t.Fatalf("message %s not in list_messages", id)
	return nil
}

func TestUploadAttachmentDuringAHandoff(t *testing.T) {
	h := newHarness(t, harnessOpts{allowCustomer: true})
	cid := handedOff(t, h)
	data := []byte("%PDF-1.4\nreceipt for order 42\n\x00\xff")

	up := h.OK("upload_attachment", map[string]any{"conversation_id": cid, "content_base64": b64(data), "filename": "receipt.pdf"})
	if up["mime_type"] != "application/pdf" || up["filename"] != "receipt.pdf" || up["message_id"] != nil {
		t.Fatalf("upload_attachment = %v", up)
	}
	if got := download(t, str(up, "url")); !bytes.Equal(got, data) {
		t.Fatalf("the URL serves %q, want the uploaded bytes", got)
	}

	// send_as end_user: the file message, authored by the conversation's end user.
	png := []byte("\x89PNG\r\n\x1a\nfake")
	sent := h.OK("upload_attachment", map[string]any{"conversation_id": cid, "content_base64": b64(png), "filename": "photo.png", "send_as": "end_user"})
	m := messageByID(t, h, cid, str(sent, "message_id"))
	endUser := str(h.OK("get_conversation", map[string]any{"conversation_id": cid}), "conversation", "end_user_id")
	if m["type"] != "file" || m["url"] != sent["url"] || m["filename"] != "photo.png" || m["mime_type"] != "image/png" ||
		m["role"] != "end_user" || m["author_id"] != endUser {
		t.Fatalf("file message = %v, upload %v", m, sent)
	}
	// send_as human_agent, with a content type given (unpadded base64 and line breaks are fine).
	csv := "order,total\n42,19.90\n"
	enc := strings.TrimRight(b64([]byte(csv)), "=")
	enc = enc[:8] + "\n" + enc[8:]
	agent := h.OK("upload_attachment", map[string]any{"conversation_id": cid, "content_base64": enc, "filename": "orders.csv",
		"content_type": "text/csv; charset=utf-8", "send_as": "human_agent", "display_name": "Grace"})
	m = messageByID(t, h, cid, str(agent, "message_id"))
	if m["role"] != "human_agent" || m["display_name"] != "Grace" || m["mime_type"] != "text/csv" {
		t.Fatalf("human agent's file message = %v", m)
	}
	if got := download(t, str(agent, "url")); string(got) != csv {
		t.Fatalf("the URL serves %q", got)
	}
	// File contents never reach the logs.
	if strings.Contains(h.logs.String(), b64(data)) || strings.Contains(h.logs.String(), "receipt for order 42") {
		t.Fatal("the logs hold a file's content")
	}
}

func TestUploadAttachmentOutsideAHandoff(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	cid := str(h.OK("start_conversation", map[string]any{}), "conversation_id")
	args := map[string]any{"conversation_id": cid, "content_base64": b64([]byte("hi")), "filename": "a.txt"}
	msg := h.Err("upload_attachment", args)
	for _, want := range []string{"(400)", "Attachments can only be uploaded when the conversation is in a handoff state", "Ada accepts uploads only while the conversation is in a handoff"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("message %q lacks %q", msg, want)
		}
	}
	// send_as does not post anything when the upload is refused.
	args["send_as"] = "end_user"
	h.Err("upload_attachment", args)
	if last := lastMessage(t, h, cid); last["role"] != "ai_agent" {
		t.Fatalf("a message was posted: %v", last)
	}
}

func TestUploadAttachmentRefusedBeforeSending(t *testing.T) {
	h := newHarness(t, harnessOpts{allowCustomer: true}) // the gate would answer send_as human_agent first
	cid := handedOff(t, h)
	ok := b64([]byte("hello"))
	cases := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"type not allowed", map[string]any{"content_base64": ok, "filename": "setup.exe"}, []string{"Invalid filename", ".exe", "allowed: avif, csv", "Nothing was sent"}},
		{"no extension", map[string]any{"content_base64": ok, "filename": "README"}, []string{"Invalid filename", "(none)"}},
		{"bad base64", map[string]any{"content_base64": "not base64!", "filename": "a.txt"}, []string{"content_base64", "not valid base64"}},
		{"empty", map[string]any{"content_base64": "", "filename": "a.txt"}, []string{"file_path or content_base64"}},
		// Over 50 MB: content_base64 in schemas' tests (70 MB of JSON through the MCP
		// session is slow under -race), file_path in TestUploadAttachmentFromFilePath.
		{"no filename", map[string]any{"content_base64": ok}, []string{"filename", "required with content_base64"}},
		{"both sources", map[string]any{"content_base64": ok, "filename": "a.txt", "file_path": "/tmp/a.txt"}, []string{"not both"}},
		{"a directory in the name", map[string]any{"content_base64": ok, "filename": "../a.txt"}, []string{"Invalid filename", "without a directory"}},
		{"bad content type", map[string]any{"content_base64": ok, "filename": "a.txt", "content_type": "text"}, []string{"Invalid content_type"}},
		{"human agent without a name", map[string]any{"content_base64": ok, "filename": "a.txt", "send_as": "human_agent"}, []string{"display_name", "required"}},
		{"send_as ai_agent", map[string]any{"content_base64": ok, "filename": "a.txt", "send_as": "ai_agent"}, []string{"send_as"}},
	}
	before := h.requests.Load()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.args["conversation_id"] = cid
			msg := h.Err("upload_attachment", tc.args)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
	if n := h.requests.Load() - before; n != 0 {
		t.Fatalf("%d requests reached Ada for uploads it would refuse", n)
	}
}

func TestUploadAttachmentFromFilePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(path, []byte("call back at 5pm"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.zip")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 50<<20+1); err != nil { // sparse: cheap to make
		t.Fatal(err)
	}

	local := newHarness(t, harnessOpts{localFiles: true})
	cid := handedOff(t, local)
	up := local.OK("upload_attachment", map[string]any{"conversation_id": cid, "file_path": path})
	if up["filename"] != "notes.txt" || up["mime_type"] != "text/plain" || string(download(t, str(up, "url"))) != "call back at 5pm" {
		t.Fatalf("upload from file_path = %v", up)
	}
	renamed := local.OK("upload_attachment", map[string]any{"conversation_id": cid, "file_path": path, "filename": "callback.log"})
	if renamed["filename"] != "callback.log" {
		t.Fatalf("filename does not override file_path's name: %v", renamed)
	}
	before := local.requests.Load()
	for _, tc := range []struct {
		path string
		want string
	}{
		{big, "at most 50 MB"},
		{"notes.txt", "must be an absolute path"},
		{filepath.Join(dir, "missing.txt"), "cannot be read: no such file or directory"},
		{filepath.Join(dir, "setup.exe"), "Invalid file_path"},
	} {
		if msg := local.Err("upload_attachment", map[string]any{"conversation_id": cid, "file_path": tc.path}); !strings.Contains(msg, tc.want) {
			t.Errorf("file_path %s: message %q lacks %q", tc.path, msg, tc.want)
		}
	}
	if n := local.requests.Load() - before; n != 0 {
		t.Fatalf("%d requests reached Ada for files it would refuse", n)
	}

	// A server that is not local (HTTP transports) never reads its disk.
	remote := newHarness(t, harnessOpts{})
	rcid := handedOff(t, remote)
	before = remote.requests.Load()
	msg := remote.Err("upload_attachment", map[string]any{"conversation_id": rcid, "file_path": path})
	if !strings.Contains(msg, "file_path") || !strings.Contains(msg, "content_base64 with filename") {
		t.Fatalf("message = %s", msg)
	}
	if n := remote.requests.Load() - before; n != 0 {
		t.Fatalf("%d requests reached Ada", n)
	}
}

// A transcript records an upload's arguments without the file.
func TestUploadAttachmentTranscriptOmitsTheFile(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	path := filepath.Join(t.TempDir(), "run.jsonl")
	w, err := transcript.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	h.deps.Transcript = w
	cid := handedOff(t, h)
	content := b64([]byte("the customer's private scan"))
	h.OK("upload_attachment", map[string]any{"conversation_id": cid, "content_base64": content, "filename": "scan.pdf"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(rec), content) || !strings.Contains(string(rec), `"content_base64":"(`+strconv.Itoa(len(content))+` characters, not recorded)"`) {
		t.Fatalf("transcript = %s", rec)
	}
	if !strings.Contains(string(rec), `"filename":"scan.pdf"`) {
		t.Fatalf("transcript lacks the other arguments: %s", rec)
	}
}

// A call to a tool this server does not serve (a write tool under
// --read-only, a made-up name) is in the transcript too, its name
// redacted, so that checks on the run see the attempt.
func TestTranscriptRecordsCallsToUnservedTools(t *testing.T) {
	h := newHarness(t, harnessOpts{readOnly: true})
	path := filepath.Join(t.TempDir(), "run.jsonl")
	w, err := transcript.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	h.deps.Transcript = w
	for _, name := range []string{"upsert_end_user", apiKey} {
		if _, err := h.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: map[string]any{"external_id": "x-1"}}); err == nil {
			t.Fatalf("%s: no error", name)
		}
	}
	h.OK("lookup_end_user", map[string]any{"external_id": "x-1"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := transcript.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].Tool != "upsert_end_user" || !recs[0].IsError || !strings.Contains(recs[0].Error, "no such tool") ||
		!strings.Contains(string(recs[0].Arguments), "x-1") || recs[2].Tool != "lookup_end_user" {
		t.Fatalf("records: %+v", recs)
	}
	if b, _ := os.ReadFile(path); strings.Contains(string(b), apiKey) {
		t.Fatalf("the pasted key is in the transcript: %s", b)
	}
}

// file_path's own extension must be a type Ada accepts, whatever filename
// says: file_path /etc/shadow with filename x.png would otherwise upload
// the server's password file. The check comes before the local-files
// one, so an HTTP server gives the same, more useful, message.
func TestUploadAttachmentChecksFilePathsOwnExtension(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(secret, []byte("root:$6$salt$hash:19000:0:99999:7:::"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A link with an accepted name is judged by the file it leads to.
	link := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	for name, local := range map[string]bool{"stdio": true, "http": false} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{localFiles: local})
			cid := handedOff(t, h)
			before := h.requests.Load()
			msg := h.Err("upload_attachment", map[string]any{"conversation_id": cid, "file_path": secret, "filename": "x.png"})
			if !strings.Contains(msg, "Invalid file_path") || !strings.Contains(msg, "(none)") {
				t.Fatalf("message = %s", msg)
			}
			if local {
				msg := h.Err("upload_attachment", map[string]any{"conversation_id": cid, "file_path": link})
				if !strings.Contains(msg, "Invalid file_path") || !strings.Contains(msg, "(none)") {
					t.Fatalf("through a link: message = %s", msg)
				}
			}
			if n := h.requests.Load() - before; n != 0 {
				t.Fatalf("%d requests reached Ada", n)
			}
		})
	}
}
