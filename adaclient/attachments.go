package adaclient

import (
	"bytes"
	"context"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// Attachments: POST /v2/conversations/{conversation_id}/attachments/ (Ada's
// upload-attachment operation), multipart/form-data with one "file" part.
// Ada stores the file for the conversation and answers 201 with a presigned
// URL (valid 7 days) to send in a file message. Ada accepts uploads only
// while the conversation is in a handoff.

// MaxAttachmentBytes is Ada's limit on an uploaded file: 50 MB.
const MaxAttachmentBytes = 50 << 20

// multipartOverhead bounds what the multipart encoding adds around the file
// (boundaries and the part's headers).
const multipartOverhead = 64 << 10

// attachmentTypes are the file types Ada accepts (TXT, LOG, CSV, EML, PNG,
// SVG, JPEG, JPG, GIF, HEIF, HEIC, AVIF, WAV, M4A, MP3, MP4, M4V, MOV, MPEG,
// MPG, ZIP, PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, Keynote, Pages, Numbers),
// by file extension, with the MIME type sent when the caller gives none.
var attachmentTypes = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"txt": "text/plain", "log": "text/plain", "csv": "text/csv", "eml": "message/rfc822",
		"png": "image/png", "svg": "image/svg+xml", "jpeg": "image/jpeg", "jpg": "image/jpeg", "gif": "image/gif",
		"heif": "image/heif", "heic": "image/heic", "avif": "image/avif",
		"wav": "audio/wav", "m4a": "audio/mp4", "mp3": "audio/mpeg",
		"mp4": "video/mp4", "m4v": "video/x-m4v", "mov": "video/quicktime", "mpeg": "video/mpeg", "mpg": "video/mpeg",
		"zip": "application/zip", "pdf": "application/pdf",
		"doc": "application/msword", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"xls": "application/vnd.ms-excel", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"ppt": "application/vnd.ms-powerpoint", "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"key": "application/vnd.apple.keynote", "pages": "application/vnd.apple.pages", "numbers": "application/vnd.apple.numbers",
	}
})

// AttachmentExtensions lists the file extensions Ada accepts, sorted.
func AttachmentExtensions() []string {
	out := make([]string, 0, len(attachmentTypes()))
	for ext := range attachmentTypes() {
		out = append(out, ext)
	}
	sort.Strings(out)
	return out
}

// AttachmentMIMEType is the MIME type of a file name's extension among the
// types Ada accepts; ok is false for any other extension.
func AttachmentMIMEType(filename string) (mimeType string, ok bool) {
	mimeType, ok = attachmentTypes()[strings.ToLower(strings.TrimPrefix(path.Ext(filename), "."))]
	return mimeType, ok
}

// ValidateAttachmentName checks a file name before an upload: a plain name
// (no directory, no control characters, at most 255 bytes) whose extension
// is one of the types Ada accepts.
func ValidateAttachmentName(field, filename string) error {
	switch {
	case strings.TrimSpace(filename) == "":
		return invalid(field, "is required")
	case len(filename) > 255:
		return invalid(field, "is %d bytes; at most 255", len(filename))
	case strings.ContainsAny(filename, `/\`):
		return invalid(field, "must be a file name without a directory")
	case strings.IndexFunc(filename, unicode.IsControl) >= 0:
		return invalid(field, "must not contain control characters")
	}
	if _, ok := AttachmentMIMEType(filename); !ok {
		ext := path.Ext(filename)
		if ext == "" {
			ext = "(none)"
		}
		return invalid(field, "has the extension %s, a type Ada does not accept; allowed: %s", ext, strings.Join(AttachmentExtensions(), ", "))
	}
	return nil
}

// ValidateContentType checks a MIME type given for an upload: type/subtype
// with optional parameters.
func ValidateContentType(field, contentType string) error {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.Contains(mt, "/") || strings.ContainsAny(contentType, "\r\n") {
		return invalid(field, "must be a MIME type such as application/pdf")
	}
	return nil
}

// AttachmentUpload is a file to upload.
type AttachmentUpload struct {
	// Filename is the file's name; its extension must be a type Ada accepts.
	Filename string
	// ContentType is the file's MIME type; empty: from the extension.
	ContentType string
	// Data is the file's content, 1 byte to 50 MB.
	Data []byte
}

// Validate checks what Ada would refuse: the file name and type, the MIME
// type's shape, an empty file or one over 50 MB.
func (f *AttachmentUpload) Validate() error {
	if f == nil {
		return invalid("file", "is required")
	}
	if err := ValidateAttachmentName("filename", f.Filename); err != nil {
		return err
	}
	if f.ContentType != "" {
		if err := ValidateContentType("content_type", f.ContentType); err != nil {
			return err
		}
	}
	switch n := len(f.Data); {
	case n == 0:
		return invalid("file", "is empty")
	case n > MaxAttachmentBytes:
		return invalid("file", "is %d bytes; Ada accepts at most 50 MB (%d bytes)", n, MaxAttachmentBytes)
	}
	return nil
}

// Attachment is Ada's AttachmentUploadResponse: where the file is (a
// presigned URL, valid 7 days), its MIME type and name.
type Attachment struct {
	URL      string `json:"url"`
	MimeType string `json:"mime_type"`
	Filename string `json:"filename"`
}

// UploadAttachment uploads a file to a conversation in a handoff and
// returns its URL, for a file message (FileMessage). The file's size, name
// and type are checked first; nothing is sent if Ada would refuse them. Not
// idempotent: each upload stores another file, so it is never repeated once
// it may have reached Ada.
func (s *ConversationsService) UploadAttachment(ctx context.Context, conversationID string, f *AttachmentUpload) (*Attachment, *Response, error) {
	if err := validateID("conversation_id", conversationID); err != nil {
		return nil, nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	body, contentType, err := encodeAttachment(f)
	if err != nil {
		return nil, nil, err
	}
	var a Attachment
	r, err := s.c.do(ctx, call{method: http.MethodPost, path: conversationPath(conversationID) + "attachments/",
		raw: body, contentType: contentType, maxBody: MaxAttachmentBytes + multipartOverhead, mode: notIdempotent}, &a)
	if err != nil {
		return nil, r, err
	}
	return &a, r, nil
}

// encodeAttachment is the multipart/form-data body: one part named "file"
// with the file name and its MIME type.
func encodeAttachment(f *AttachmentUpload) ([]byte, string, error) {
	ct := f.ContentType
	if ct == "" {
		ct, _ = AttachmentMIMEType(f.Filename)
	}
	var buf bytes.Buffer
	buf.Grow(len(f.Data) + 1024)
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition("file", f.Filename))
	h.Set("Content-Type", ct)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(f.Data); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// FileMessage builds a file message request for an uploaded attachment.
func FileMessage(author MessageAuthor, a *Attachment) *SendMessageRequest {
	return &SendMessageRequest{Author: author, Content: Content{Type: "file", URL: a.URL, MimeType: a.MimeType, Filename: a.Filename}}
}
