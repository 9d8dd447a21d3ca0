package adasim

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

// Attachments (ada-api.md section 2; Ada's upload-attachment operation): POST
// /v2/conversations/{conversation_id}/attachments/ takes a multipart/form-data body with a
// "file" part, at most 50 MB, of an allowed type, only while the conversation is in a handoff,
// and answers 201 {url, mime_type, filename}. The URL stands for Ada's presigned URL (valid 7
// days): the simulator serves the file there, without authentication, outside /api.

const (
	// maxAttachmentBytes: "The maximum file size is 50MB."
	maxAttachmentBytes = 50 << 20
	// maxAttachmentBody bounds the whole multipart body: the file and what surrounds it.
	maxAttachmentBody = maxAttachmentBytes + 1<<20
	// maxStoredAttachmentBytes bounds the files kept in memory; beyond it the oldest go first
	// (their URLs then answer 404, as an expired presigned URL would fail).
	maxStoredAttachmentBytes = 64 << 20
	// attachmentURLValidity: "a presigned URL is returned that is valid for up to 7 days".
	attachmentURLValidity = 7 * 24 * time.Hour
	// attachmentPrefix is where the files are served.
	attachmentPrefix = sandboxPrefix + "attachments/"
)

// attachmentTypes are the allowed file types by extension ("Allowed file types: TXT, LOG, CSV,
// EML, PNG, SVG, JPEG, JPG, GIF, HEIF, HEIC, AVIF, WAV, M4A, MP3, MP4, M4V, MOV, MPEG, MPG,
// ZIP, PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, Keynote, Pages, Numbers"), with the MIME type
// used when the part does not say (Keynote, Pages and Numbers files end in .key, .pages and
// .numbers).
var attachmentTypes = sync.OnceValue(func() map[string]string {
	return map[string]string{
		".txt": "text/plain", ".log": "text/plain", ".csv": "text/csv", ".eml": "message/rfc822",
		".png": "image/png", ".svg": "image/svg+xml", ".jpeg": "image/jpeg", ".jpg": "image/jpeg",
		".gif": "image/gif", ".heif": "image/heif", ".heic": "image/heic", ".avif": "image/avif",
		".wav": "audio/wav", ".m4a": "audio/mp4", ".mp3": "audio/mpeg", ".mp4": "video/mp4",
		".m4v": "video/x-m4v", ".mov": "video/quicktime", ".mpeg": "video/mpeg", ".mpg": "video/mpeg",
		".zip": "application/zip", ".pdf": "application/pdf", ".doc": "application/msword",
		".docx":  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		".xls":   "application/vnd.ms-excel",
		".xlsx":  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		".ppt":   "application/vnd.ms-powerpoint",
		".pptx":  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		".key":   "application/vnd.apple.keynote",
		".pages": "application/vnd.apple.pages", ".numbers": "application/vnd.apple.numbers",
	}
})

const allowedAttachmentTypes = "TXT, LOG, CSV, EML, PNG, SVG, JPEG, JPG, GIF, HEIF, HEIC, AVIF, WAV, M4A, MP3, MP4, M4V, MOV, MPEG, MPG, ZIP, PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, Keynote, Pages, Numbers"

type attachment struct {
	id, filename, mimeType string
	data                   []byte
	createdAt              time.Time
}

// attachmentStore keeps uploaded files, oldest first, within maxStoredAttachmentBytes.
type attachmentStore struct {
	byID  map[string]*attachment
	order []*attachment
	bytes int
}

func newAttachmentStore() attachmentStore { return attachmentStore{byID: map[string]*attachment{}} }

// add stores a file and evicts the oldest ones beyond the bound (never the new one).
func (st *attachmentStore) add(a *attachment) {
	st.byID[a.id] = a
	st.order = append(st.order, a)
	st.bytes += len(a.data)
	for st.bytes > maxStoredAttachmentBytes && len(st.order) > 1 {
		old := st.order[0]
		st.order = st.order[1:]
		st.bytes -= len(old.data)
		delete(st.byID, old.id)
	}
}

// uploadedFile is the "file" part of an upload.
type uploadedFile struct {
	filename, mimeType string
	data               []byte
}

// readUpload reads the multipart body: its first "file" part, with a file name, of an allowed
// type, 1 byte to 50 MB (413 beyond, like any payload over a size limit); other parts are
// ignored.
func readUpload(w http.ResponseWriter, r *http.Request) (*uploadedFile, *apiError) {
	r.Body = http.MaxBytesReader(w, r.Body, maxAttachmentBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("The request body must be multipart/form-data with a file part.")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			if tooLarge(err) {
				return nil, attachmentTooLarge()
			}
			if errors.Is(err, io.EOF) {
				return nil, invalidField("file", "file is required: send the file as the multipart part named file.")
			}
			return nil, badRequest("The multipart body could not be read.")
		}
		if part.FormName() != "file" {
			continue
		}
		f := &uploadedFile{filename: part.FileName()}
		data, err := io.ReadAll(io.LimitReader(part, maxAttachmentBytes+1))
		switch {
		case tooLarge(err) || len(data) > maxAttachmentBytes:
			return nil, attachmentTooLarge()
		case err != nil:
			return nil, badRequest("The multipart body could not be read.")
		case f.filename == "":
			return nil, invalidField("file", "The file part must have a filename.")
		case len(data) == 0:
			return nil, invalidField("file", "The file is empty.")
		}
		ext := strings.ToLower(path.Ext(f.filename))
		byExtension, allowed := attachmentTypes()[ext]
		if !allowed {
			return nil, invalidField("file", "File type %q is not allowed. Allowed file types: %s.", ext, allowedAttachmentTypes)
		}
		f.data, f.mimeType = data, byExtension
		if mt, _, err := mime.ParseMediaType(part.Header.Get("Content-Type")); err == nil && mt != "application/octet-stream" {
			f.mimeType = mt
		}
		return f, nil
	}
}

func tooLarge(err error) bool {
	_, ok := errors.AsType[*http.MaxBytesError](err)
	return ok
}

func attachmentTooLarge() *apiError {
	return &apiError{status: http.StatusRequestEntityTooLarge, errType: "content_too_large",
		message: "The file exceeds the maximum size of 50 MB."}
}

// uploadAttachment is POST /v2/conversations/{conversation_id}/attachments/: 201
// {url, mime_type, filename}; 400 unless the conversation is in a handoff.
func (s *Sim) uploadAttachment(c *call) (int, any, *apiError) {
	f, err := readUpload(c.w, c.r)
	if err != nil {
		return 0, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, err := s.conversationLocked(c.id)
	if err != nil {
		return 0, nil, err
	}
	if !cv.handoff {
		return 0, nil, badRequest("Attachments can only be uploaded when the conversation is in a handoff state; conversation %q is not in a handoff.", cv.id)
	}
	a := &attachment{id: s.newID(), filename: f.filename, mimeType: f.mimeType, data: f.data, createdAt: s.clock.Tick()}
	s.attachments.add(a)
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: c.r.Host, Path: attachmentPrefix + a.id + "/" + a.filename}
	return http.StatusCreated, attachmentJSON{URL: u.String(), MimeType: a.mimeType, Filename: a.filename}, nil
}

// attachmentJSON is Ada's AttachmentUploadResponse.
type attachmentJSON struct {
	URL      string `json:"url"`
	MimeType string `json:"mime_type"`
	Filename string `json:"filename"`
}

// serveAttachment is GET (or HEAD) /_sandbox/attachments/{id}/{filename}: the file, without
// authentication, as a presigned URL serves it, while it is kept and younger than 7 days. It
// is served as a download, never rendered in the sandbox's origin.
func (s *Sim) serveAttachment(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return writeError(w, methodNotAllowed(r.Method, r.URL.Path))
	}
	id, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, attachmentPrefix), "/")
	s.mu.Lock()
	a := s.attachments.byID[id]
	expired := a != nil && !s.clock.Now().Before(a.createdAt.Add(attachmentURLValidity))
	s.mu.Unlock()
	if a == nil || a.filename != name || expired {
		return writeError(w, notFound("No attachment at %s: it never existed, was evicted or its URL has expired (valid 7 days).", r.URL.Path))
	}
	h := w.Header()
	h.Set("Content-Type", a.mimeType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	http.ServeContent(w, r, "", a.createdAt, bytes.NewReader(a.data))
	return http.StatusOK
}

// isAttachmentPath reports whether a request is for a served attachment (no authentication).
func isAttachmentPath(p string) bool {
	return strings.HasPrefix(p, attachmentPrefix)
}
