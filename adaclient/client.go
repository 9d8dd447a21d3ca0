package adaclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/ada-mcp/ada-mcp/internal/jsondec"
	"github.com/ada-mcp/ada-mcp/internal/lazyregexp"
)

const (
	// maxRequestBody is Ada's documented request size limit (413 above it).
	maxRequestBody = 10 << 20
	// maxResponseBody bounds what we read from Ada; a page of 100 records
	// is far below it.
	maxResponseBody  = 32 << 20
	defaultUserAgent = "ada-mcp"
)

// Client talks to one Ada AI Agent's v2 API. It is safe for concurrent use.
type Client struct {
	baseURL    string // e.g. https://example.ada.support/api, no trailing slash
	httpClient *http.Client
	retry      RetryPolicy
	logger     *slog.Logger
	userAgent  string
	budget     RateBudget // nil: no pacing
	// now is Ada's clock, for checks that depend on the date (the Audit
	// log's 30-day window): time.Now unless WithClock.
	now func() time.Time
	// headers go on every request. Built once: their value slices are
	// shared, read-only, by all requests.
	headers http.Header

	EndUsers      *EndUsersService
	Channels      *ChannelsService
	Conversations *ConversationsService
	Webhooks      *WebhooksService
	Knowledge     *KnowledgeService
	AIAgent       *AIAgentService
	AuditLog      *AuditLogService
	Export        *ExportService
	Compliance    *ComplianceService
}

// Host is the host of the Ada API the client calls (never its key).
func (c *Client) Host() string {
	u, err := url.Parse(c.baseURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// CloseIdleConnections closes the pool's idle keep-alive connections to
// Ada (a shutdown, a test counting what calls hold).
func (c *Client) CloseIdleConnections() { c.httpClient.CloseIdleConnections() }

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient replaces the HTTP client (its Transport is used for every
// attempt; its Timeout, if any, bounds each attempt).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.httpClient = hc } }

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option { return func(c *Client) { c.retry = p } }

// WithLogger logs each request at debug level (method, path, status,
// attempt, duration; never headers, bodies or query strings).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.logger = l } }

// WithClock sets the clock of the Ada the client calls, for the checks
// made before sending that depend on the date: a simulator that keeps
// logical time (a seeded sandbox) is not at the wall clock's date.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithMaxConnsPerHost sizes the default transport's idle-connection pool for
// the number of concurrent calls served, so a burst does not open a new
// connection to Ada per request. Ignored with WithHTTPClient.
func WithMaxConnsPerHost(n int) Option {
	return func(c *Client) {
		if t, ok := c.httpClient.Transport.(*http.Transport); ok && n > 0 {
			t.MaxIdleConns = n * 2
			t.MaxIdleConnsPerHost = n
		}
	}
}

// New returns a client for the API at baseURL (for example
// "https://example.ada.support/api", see BaseURLForHandle) authenticating
// with apiKey as a Bearer token.
func New(baseURL, apiKey string, opts ...Option) (*Client, error) {
	u, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(apiKey) == "" {
		return nil, fmt.Errorf("an Ada API key is required")
	}
	c := &Client{
		baseURL:    u.String(),
		httpClient: NewHTTPClient(),
		retry:      DefaultRetryPolicy(),
		userAgent:  defaultUserAgent,
		now:        time.Now,
	}
	for _, o := range opts {
		o(c)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.httpClient == nil {
		c.httpClient = NewHTTPClient()
	}
	if c.httpClient.CheckRedirect == nil { // WithHTTPClient's, copied: it may be shared
		hc := *c.httpClient
		hc.CheckRedirect = refuseRedirects
		c.httpClient = &hc
	}
	c.headers = http.Header{
		"Authorization": {"Bearer " + apiKey},
		"Accept":        {"application/json"},
		"User-Agent":    {c.userAgent},
	}
	c.EndUsers = &EndUsersService{c}
	c.Channels = &ChannelsService{c}
	c.Conversations = &ConversationsService{c}
	c.Webhooks = &WebhooksService{c}
	c.Knowledge = &KnowledgeService{c}
	c.AIAgent = &AIAgentService{c}
	c.AuditLog = &AuditLogService{c}
	c.Export = &ExportService{c}
	c.Compliance = &ComplianceService{c}
	return c, nil
}

// CheckBaseURL reports what New would refuse in baseURL, so a command line
// can name the flag at fault before anything is built.
func CheckBaseURL(baseURL string) error {
	_, err := parseBaseURL(baseURL)
	return err
}

func parseBaseURL(baseURL string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || !IsHTTPURL(baseURL) {
		return nil, fmt.Errorf("ada base URL must be an absolute http(s) URL such as https://example.ada.support/api")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("ada base URL must not carry a query, fragment or credentials")
	}
	// A base one level off finds no API at all, and every lookup's 404
	// would read as "no such end user" rather than a mistake.
	if versionSuffix().MatchString(u.Path) {
		return nil, fmt.Errorf("ada base URL %s ends in the API version: give the root the paths start from, such as https://acme.ada.support/api", u.Redacted())
	}
	if host := strings.ToLower(u.Hostname()); (host == "ada.support" || strings.HasSuffix(host, ".ada.support")) && u.Path != "/api" {
		return nil, fmt.Errorf("ada base URL %s: Ada's API is at /api on its host, as in https://%s/api", u.Redacted(), host)
	}
	return u, nil
}

// NewHTTPClient is the HTTP client a Client uses by default: a pool sized
// for many concurrent calls, with a bound on how long Ada may take to start
// answering. Share one among several Clients (WithHTTPClient) to share its
// connections, as per-tenant clients do.
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: newTransport(), CheckRedirect: refuseRedirects}
}

// refuseRedirects keeps every request at the base URL it was made for:
// Ada's API does not redirect, and following one would send the key (kept
// on a same-host redirect) and the caller's request to a URL nobody chose,
// past a multi-tenant server's allowlist of base URLs. The 3xx comes back
// as Ada's answer, an error.
func refuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	t.ResponseHeaderTimeout = 60 * time.Second
	return t
}

// versionSuffix is a base URL path that ends in an API version ("/v2").
var versionSuffix = lazyregexp.New(`/v[0-9]+$`)

// handleRE is compiled at first use: most starts are given a base URL. A
// handle is a DNS label (at most 63 characters), a region another.
var handleRE = lazyregexp.New(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z]{1,63})?$`)

// BaseURLForHandle returns https://{handle}.ada.support/api. A regional handle
// such as "acme.eu" gives https://acme.eu.ada.support/api. Host names know
// no case: "ACME" is "acme", one AI Agent (and one tenant).
func BaseURLForHandle(handle string) (string, error) {
	lower := strings.ToLower(handle)
	if !handleRE().MatchString(lower) {
		if h, ok := handleIn(lower); ok {
			return "", fmt.Errorf("invalid Ada bot handle %q: give the handle alone, %q, not the address", withoutUserinfo(handle), h)
		}
		return "", fmt.Errorf("invalid Ada bot handle %q: expected the handle shown in the Ada dashboard, e.g. \"acme\" or \"acme.eu\"", withoutUserinfo(handle))
	}
	return "https://" + lower + ".ada.support/api", nil
}

// withoutUserinfo hides what comes before an address's last "@": a URL
// pasted as a handle may carry a password.
func withoutUserinfo(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	scheme, _, ok := strings.Cut(s[:at], "://")
	if !ok {
		scheme = ""
	} else {
		scheme += "://"
	}
	return scheme + "[REDACTED]" + s[at:]
}

// handleIn finds the handle in what people paste instead of one: the
// AI Agent's address (https://acme.ada.support/api) or host name.
func handleIn(s string) (string, bool) {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	s, _, _ = strings.Cut(s, "/")
	if at := strings.LastIndex(s, "@"); at >= 0 {
		s = s[at+1:]
	}
	h, ok := strings.CutSuffix(s, ".ada.support")
	if !ok || !handleRE().MatchString(h) {
		return "", false
	}
	return h, true
}

// BaseURL returns the API base the client was built with.
func (c *Client) BaseURL() string { return c.baseURL }

// Response describes a successful call.
type Response struct {
	StatusCode int
	Header     http.Header
	Rate       Rate
	// NextPageURL is Ada's meta.next_page_url (Data Export's
	// meta.next_page_uri); empty on the last page.
	NextPageURL string
	// NextCursor is the cursor parsed from NextPageURL, for the next call.
	NextCursor string
}

// retryMode tells the retry policy whether a request may be sent twice.
type retryMode int

const (
	// idempotent: GET, PATCH, and POSTs whose effect does not repeat
	// (create end user by external_id, end a conversation).
	idempotent retryMode = iota
	// notIdempotent: a POST that creates something each time it is applied.
	notIdempotent
)

// call is one API call: its request and where its JSON answer goes.
type call struct {
	method string
	path   string // relative to the base URL, starting with /v2/
	query  url.Values
	body   any
	mode   retryMode

	// rawQuery, if set, is sent instead of query, byte for byte (a page
	// URL Ada requires replayed verbatim).
	rawQuery string
	// raw, when set, is the body as is (a multipart upload), sent with
	// contentType; maxBody is then its limit instead of Ada's 10 MB.
	raw         []byte
	contentType string
	maxBody     int
}

// do sends the call, retrying as the policy allows, and decodes a 2xx body
// into out (which may be nil).
func (c *Client) do(ctx context.Context, cl call, out any) (*Response, error) {
	var payload []byte
	contentType := "application/json"
	switch {
	case cl.raw != nil:
		if cl.maxBody > 0 && len(cl.raw) > cl.maxBody {
			return nil, invalid("request", "the request body is %d bytes; Ada accepts at most %d", len(cl.raw), cl.maxBody)
		}
		payload, contentType = cl.raw, cl.contentType
	case cl.body != nil:
		b, err := marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("ada: encoding %s %s request: %w", cl.method, cl.path, err)
		}
		if len(b) > maxRequestBody {
			return nil, invalid("request", "the request body is %d bytes; Ada accepts at most 10 MB", len(b))
		}
		payload = b
	}
	target := c.baseURL + cl.path
	if cl.rawQuery != "" {
		target += "?" + cl.rawQuery
	} else if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	var rawBody any
	if payload != nil {
		rawBody = payload
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, target, rawBody)
	if err != nil {
		return nil, fmt.Errorf("ada: building %s %s: %w", cl.method, cl.path, err)
	}
	// net/http only reads a request's headers, so a request shares the
	// client's unless something adds to them: a body's Content-Type, or a
	// cookie jar's cookies.
	req.Header = c.headers
	if payload != nil || c.httpClient.Jar != nil {
		req.Header = c.headers.Clone()
		if payload != nil {
			req.Header.Set("Content-Type", contentType)
		}
	}

	att := &attempts{policy: c.retry, mode: cl.mode, logger: c.logger, method: cl.method, path: cl.path,
		budget: c.budget, group: GroupOf(cl.path)}
	defer att.release()
	req.SetResponseHandler(att.readBody)
	rc := &retryablehttp.Client{
		HTTPClient:   c.httpClient,
		RetryMax:     c.retry.MaxRetries,
		RetryWaitMin: c.retry.MinWait,
		RetryWaitMax: c.retry.MaxWait,
		CheckRetry:   att.check,
		Backoff:      att.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		Logger:       nil, // its default logger writes every request to stderr
	}
	if c.budget != nil {
		rc.PrepareRetry = func(*http.Request) error { return att.pace(ctx) }
	}
	start := time.Now()
	if err := att.pace(ctx); err != nil {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "ada request not sent",
			slog.String("method", cl.method), slog.String("path", cl.path), slog.String("group", att.group),
			slog.Duration("budget_wait", att.waited))
		return nil, paceError(cl, err)
	}
	resp, err := rc.Do(req)
	if resp != nil && !att.bodyRead {
		// Retries ran out on a retryable status: the body is still unread.
		att.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
		resp.Body.Close()
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "ada request",
		slog.String("method", cl.method), slog.String("path", cl.path), slog.Int("status", status),
		slog.Int("attempts", att.n+1), slog.Duration("duration", time.Since(start)), slog.Duration("budget_wait", att.waited))

	if err != nil {
		if att.paceErr != nil {
			// The budget refused a retry: that retry was never sent, and a
			// request is only retried after an attempt Ada did not apply.
			return nil, paceError(cl, att.paceErr)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			if cl.mode == notIdempotent && att.maybeSent {
				return nil, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: ctxErr}
			}
			return nil, fmt.Errorf("ada: %s %s: %w", cl.method, cl.path, ctxErr)
		}
		if cl.mode == notIdempotent && !notSent(err) {
			return nil, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: cleanTransportError(err)}
		}
		return nil, fmt.Errorf("ada: %s %s: %w", cl.method, cl.path, cleanTransportError(err))
	}

	r := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Rate: parseRate(resp.Header)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		er := decodeErrorResponse(cl.method, cl.path, resp.StatusCode, resp.Header, att.body)
		if cl.mode == notIdempotent && resp.StatusCode >= 500 {
			return r, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: er}
		}
		return r, er
	}
	if out != nil && len(bytes.TrimSpace(att.body)) > 0 {
		// json.Number keeps metadata integers above 2^53 exact.
		if err := jsondec.Unmarshal(att.body, out); err != nil {
			derr := fmt.Errorf("ada: %s %s: %d response is not the expected JSON: %v", cl.method, cl.path, resp.StatusCode, err)
			if cl.mode == notIdempotent {
				return r, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: derr}
			}
			return r, derr
		}
	}
	return r, nil
}

// paceError is the error of a call the rate budget did not let through.
func paceError(cl call, err error) error {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return rl
	}
	return fmt.Errorf("ada: %s %s: %w", cl.method, cl.path, err)
}

// notSent reports whether a transport error happened before the request
// could reach Ada (the connection was never established), so even a
// non-idempotent request may be sent again.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// cleanTransportError drops retryablehttp's "giving up after N attempt(s)"
// wrapper and the full URL (which may carry a lookup value) from a transport
// error, keeping the cause.
func cleanTransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Check makes the cheapest authenticated call (one custom channel) to prove
// that Ada is reachable and accepts the API key.
func (c *Client) Check(ctx context.Context) error {
	_, _, err := c.Channels.List(ctx, &ListChannelsOptions{Type: ChannelTypeCustom, ListOptions: ListOptions{Limit: 1}})
	return err
}

func pathEscape(id string) string { return url.PathEscape(id) }
