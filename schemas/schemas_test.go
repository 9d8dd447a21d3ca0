package schemas_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

func TestCreateRequestDropsNullSensitiveValues(t *testing.T) {
	p := &schemas.ProfileArgs{FirstName: adaclient.Value("Ana"), Metadata: schemas.EndUserMetadata{"plan": "gold"}}
	req := p.CreateRequest("crm-1", schemas.SensitiveMetadata{"token": "t-123456", "old": nil})
	b, _ := json.Marshal(req)
	want := `{"external_id":"crm-1","profile":{"first_name":"Ana","metadata":{"plan":"gold"},"sensitive_metadata":{"fields":{"token":"t-123456"}}}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var nothing *schemas.ProfileArgs
	if b, _ := json.Marshal(nothing.CreateRequest("crm-2", nil)); string(b) != `{"external_id":"crm-2"}` {
		t.Fatalf("empty create = %s", b)
	}
}

func TestUpdateRequestAlwaysSendsProfile(t *testing.T) {
	var p *schemas.ProfileArgs
	b, _ := json.Marshal(p.UpdateRequest(adaclient.Null[string](), nil))
	if string(b) != `{"external_id":null,"profile":{}}` {
		t.Fatalf("got %s", b)
	}
	b, _ = json.Marshal((&schemas.ProfileArgs{Language: adaclient.Null[string]()}).UpdateRequest(adaclient.Nullable[string]{}, schemas.SensitiveMetadata{"gone": nil}))
	if string(b) != `{"profile":{"language":null,"sensitive_metadata":{"fields":{"gone":null}}}}` {
		t.Fatalf("got %s", b)
	}
}

func TestEndUserFromOmitsNulls(t *testing.T) {
	name := "Ana"
	u := schemas.EndUserFrom(&adaclient.EndUser{EndUserID: "u1", Profile: adaclient.Profile{FirstName: &name, Metadata: map[string]any{"a": 1}}})
	b, _ := json.Marshal(u)
	if string(b) != `{"end_user_id":"u1","profile":{"first_name":"Ana","metadata":{"a":1}}}` {
		t.Fatalf("got %s", b)
	}
}

func TestSensitiveKeysAreSortedAndSplit(t *testing.T) {
	k := schemas.SensitiveKeysOf(schemas.SensitiveMetadata{"b": "x", "a": 1, "z": nil})
	if strings.Join(k.SensitiveKeysSet, ",") != "a,b" || strings.Join(k.SensitiveKeysRemoved, ",") != "z" {
		t.Fatalf("got %+v", k)
	}
}

func TestArgumentValidation(t *testing.T) {
	cases := []struct {
		name string
		v    interface{ Validate() error }
		ok   bool
	}{
		{"lookup neither", &schemas.LookupEndUserArgs{}, false},
		{"lookup both", &schemas.LookupEndUserArgs{EndUserID: "u", ExternalID: "e"}, false},
		{"lookup one", &schemas.LookupEndUserArgs{ExternalID: "e"}, true},
		{"upsert by id", &schemas.UpsertEndUserArgs{EndUserID: "u"}, true},
		{"update nothing", &schemas.UpdateEndUserArgs{EndUserID: "u"}, false},
		{"update clear external id", &schemas.UpdateEndUserArgs{EndUserID: "u", ExternalID: adaclient.Null[string]()}, true},
		{"start both ids", &schemas.StartConversationArgs{EndUserID: "u", ExternalID: "e"}, false},
		{"start blank", &schemas.StartConversationArgs{}, true},
		{"human agent without name", &schemas.SendMessageArgs{Role: "human_agent"}, false},
		{"wait too long", &schemas.SendMessageArgs{WaitForReplySeconds: 61}, false},
	}
	for _, tc := range cases {
		if err := tc.v.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v", tc.name, err)
		}
	}
}

func TestUploadAttachmentArgs(t *testing.T) {
	hello := base64.StdEncoding.EncodeToString([]byte("hello"))
	ok := &schemas.UploadAttachmentArgs{ConversationID: "c", ContentBase64: "aGVs\nbG8", Filename: "a.txt"} // unpadded, wrapped
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if up := ok.Upload(nil); string(up.Data) != "hello" || up.Filename != "a.txt" || up.ContentType != "" {
		t.Fatalf("upload = %+v", up)
	}
	urlSafe := &schemas.UploadAttachmentArgs{ContentBase64: base64.URLEncoding.EncodeToString([]byte{0xfb, 0xff}), Filename: "a.zip"}
	if err := urlSafe.Validate(); err != nil || string(urlSafe.Upload(nil).Data) != "\xfb\xff" {
		t.Fatalf("URL-safe base64: %v", err)
	}
	fromDisk := &schemas.UploadAttachmentArgs{FilePath: "/srv/in/Scan.PDF"}
	if err := fromDisk.Validate(); err != nil || fromDisk.Upload([]byte("x")).Filename != "Scan.PDF" {
		t.Fatalf("file_path: %v", err)
	}
	for _, tc := range []struct {
		args  schemas.UploadAttachmentArgs
		field string
		want  string
	}{
		// The size is known from the encoded length: nothing over 50 MB is decoded.
		{schemas.UploadAttachmentArgs{ContentBase64: strings.Repeat("A", base64.StdEncoding.EncodedLen(adaclient.MaxAttachmentBytes+1)), Filename: "a.zip"}, "content_base64", "at most 50 MB"},
		{schemas.UploadAttachmentArgs{ContentBase64: "%%%", Filename: "a.txt"}, "content_base64", "not valid base64"},
		{schemas.UploadAttachmentArgs{ContentBase64: "====", Filename: "a.txt"}, "content_base64", "is empty"},
		{schemas.UploadAttachmentArgs{ContentBase64: hello}, "filename", "required with content_base64"},
		{schemas.UploadAttachmentArgs{FilePath: "/srv/run.sh"}, "file_path", "allowed: avif"},
		{schemas.UploadAttachmentArgs{FilePath: "/srv/a.txt", Filename: "b.exe"}, "filename", ".exe"},
		{schemas.UploadAttachmentArgs{}, "file_path", "give either file_path or content_base64"},
		{schemas.UploadAttachmentArgs{ContentBase64: hello, Filename: "a.txt", SendAs: "human_agent"}, "display_name", "required"},
	} {
		err := tc.args.Validate()
		var arg *schemas.ArgumentError
		var invalid *adaclient.ValidationError
		field := ""
		switch {
		case errors.As(err, &arg):
			field = arg.Field
		case errors.As(err, &invalid):
			field = invalid.Field
		}
		if field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %s: ...%s", tc.args.Filename, err, tc.field, tc.want)
		}
	}
}

func TestEmailAndChannelRequests(t *testing.T) {
	email := &schemas.StartEmailConversationArgs{Name: "Ana", Subject: "Hi", ReplyTo: "ana@example.com", CC: []string{"b@example.com"}, Metadata: schemas.Metadata{"n": 1}}
	if err := email.Validate(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(email.Request())
	if string(b) != `{"name":"Ana","subject":"Hi","reply_to":"ana@example.com","cc":["b@example.com"],"metadata":{"n":1}}` {
		t.Fatalf("email request %s", b)
	}
	if err := (&schemas.StartEmailConversationArgs{Name: "Ana", Subject: "Hi", ReplyTo: "ana"}).Validate(); err == nil || !strings.Contains(err.Error(), "reply_to") {
		t.Fatalf("bad reply_to: %v", err)
	}
	b, _ = json.Marshal((&schemas.UpdateChannelArgs{ChannelID: "ch", Markdown: false}).Request())
	if string(b) != `{"capabilities":{"markdown":false}}` {
		t.Fatalf("channel request %s: markdown false must be sent", b)
	}
}
