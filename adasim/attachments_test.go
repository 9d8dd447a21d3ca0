package adasim_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ada-mcp/ada-mcp/adasim"
)

// handoffConversation starts a conversation and hands it to a human agent.
func handoffConversation(t *testing.T, c *client) (convID, endUserID string) {
	t.Helper()
	conv := c.startConversation("")
	convID, endUserID = str(conv["id"]), str(conv["end_user_id"])
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+convID+"/messages/", object{
		"author": object{"id": endUserID, "role": "end_user"}, "content": object{"type": "text", "body": "a human please"}})
	return convID, endUserID
}

// get fetches a URL without any Authorization header, as a browser follows a presigned URL.
func fetchURL(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestAttachmentUploadServesTheFile(t *testing.T) {
	c := newSim(t, adasim.Options{})
	convID, endUserID := handoffConversation(t, c)
	path := "/v2/conversations/" + convID + "/attachments/"
	data := []byte("%PDF-1.4\nnot really a pdf\x00\xff")

	up := c.expect(http.StatusCreated, "POST", path, formFile{filename: "Receipt 42.pdf", data: data})
	if up["filename"] != "Receipt 42.pdf" || up["mime_type"] != "application/pdf" {
		t.Fatalf("upload = %v", up)
	}
	u := str(up["url"])
	if !strings.HasPrefix(u, strings.TrimSuffix(c.base, "/api")+"/_sandbox/attachments/") {
		t.Fatalf("url %q is not served by the simulator outside /api", u)
	}
	resp, got := fetchURL(t, u)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("GET %s: %d, %q", u, resp.StatusCode, got)
	}
	if resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("headers %v", resp.Header)
	}

	// The part's Content-Type wins over the extension's; the file message uses the URL.
	svg := c.expect(http.StatusCreated, "POST", path, formFile{filename: "logo.SVG", contentType: "image/svg+xml; charset=utf-8", data: []byte("<svg/>")})
	if svg["mime_type"] != "image/svg+xml" {
		t.Fatalf("mime_type %v", svg["mime_type"])
	}
	c.expect(http.StatusCreated, "POST", "/v2/conversations/"+convID+"/messages/", object{
		"author":  object{"id": endUserID, "role": "end_user"},
		"content": object{"type": "file", "url": svg["url"], "mime_type": svg["mime_type"], "filename": svg["filename"]}})

	// The wrong file name, an unknown id, or another method: 404 or 405, never the file.
	if resp, _ := fetchURL(t, strings.TrimSuffix(u, "Receipt%2042.pdf")+"other.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another file name: %d", resp.StatusCode)
	}
	if resp, _ := fetchURL(t, strings.TrimSuffix(c.base, "/api")+"/_sandbox/attachments/000000000000000000000000/x.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown id: %d", resp.StatusCode)
	}
	checkError(t, c.do("DELETE", u, nil), http.StatusMethodNotAllowed, "method_not_allowed")
}

func TestAttachmentRules(t *testing.T) {
	c := newSim(t, adasim.Options{})
	convID, _ := handoffConversation(t, c)
	path := "/v2/conversations/" + convID + "/attachments/"
	cases := []struct {
		name    string
		body    any
		status  int
		errType string
	}{
		{"type not allowed", formFile{filename: "tool.exe", data: []byte("MZ")}, http.StatusBadRequest, "validation_error"},
		{"no extension", formFile{filename: "README", data: []byte("x")}, http.StatusBadRequest, "validation_error"},
		{"empty file", formFile{filename: "a.txt"}, http.StatusBadRequest, "validation_error"},
		{"no file part", formFile{field: "document", filename: "a.txt", data: []byte("x")}, http.StatusBadRequest, "validation_error"},
		{"no file name", formFile{data: []byte("x")}, http.StatusBadRequest, "validation_error"},
		{"not multipart", object{"file": "a.txt"}, http.StatusBadRequest, "bad_request"},
		// Over 50 MB is 413: the session (session_test.go) sends one, checked against the document.
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, c.do("POST", path, tc.body), tc.status, tc.errType)
		})
	}
	// Exactly 50 MB is accepted, above the API's 10 MB limit for other bodies.
	c.expect(http.StatusCreated, "POST", path, formFile{filename: "big.zip", data: make([]byte, 50<<20)})
	checkError(t, c.do("POST", "/v2/conversations/000000000000000000000000/attachments/", formFile{filename: "a.txt", data: []byte("x")}), http.StatusNotFound, "not_found")
}

func TestAttachmentOnlyDuringAHandoff(t *testing.T) {
	c := newSim(t, adasim.Options{})
	conv := c.startConversation("")
	path := "/v2/conversations/" + str(conv["id"]) + "/attachments/"
	file := formFile{filename: "a.txt", data: []byte("x")}
	r := c.do("POST", path, file)
	checkError(t, r, http.StatusBadRequest, "bad_request")
	if !strings.Contains(string(r.body), "handoff") {
		t.Fatalf("message does not say why: %s", r.body)
	}
	convID, _ := handoffConversation(t, c)
	path = "/v2/conversations/" + convID + "/attachments/"
	c.expect(http.StatusCreated, "POST", path, file)
	c.expect(http.StatusOK, "POST", "/v2/conversations/"+convID+"/end-handoff/", nil)
	checkError(t, c.do("POST", path, file), http.StatusBadRequest, "bad_request")
}

func TestAttachmentURLsExpire(t *testing.T) {
	clk := newFakeClock()
	c := newSim(t, adasim.Options{Clock: clk.Now})
	convID, _ := handoffConversation(t, c)
	up := c.expect(http.StatusCreated, "POST", "/v2/conversations/"+convID+"/attachments/", formFile{filename: "a.txt", data: []byte("x")})
	// A presigned URL is valid 7 days.
	clk.Advance(7*24*time.Hour - time.Second)
	if resp, _ := fetchURL(t, str(up["url"])); resp.StatusCode != http.StatusOK {
		t.Fatalf("before 7 days: %d", resp.StatusCode)
	}
	clk.Advance(time.Second)
	if resp, _ := fetchURL(t, str(up["url"])); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("after 7 days: %d", resp.StatusCode)
	}
}

// Uploaded files are not part of a State: a load keeps them, a reset drops them.
func TestAttachmentsAcrossLoadAndReset(t *testing.T) {
	c := newSim(t, adasim.Options{Seed: 3})
	convID, _ := handoffConversation(t, c)
	up := c.expect(http.StatusCreated, "POST", "/v2/conversations/"+convID+"/attachments/", formFile{filename: "a.txt", data: []byte("kept")})
	if err := c.sim.LoadState(c.sim.State()); err != nil {
		t.Fatal(err)
	}
	if resp, b := fetchURL(t, str(up["url"])); resp.StatusCode != http.StatusOK || string(b) != "kept" {
		t.Fatalf("after a load: %d %q", resp.StatusCode, b)
	}
	c.sim.Reset()
	if resp, _ := fetchURL(t, str(up["url"])); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("after a reset: %d", resp.StatusCode)
	}
}
