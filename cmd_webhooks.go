package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/events"
	"github.com/ada-mcp/ada-mcp/internal/privfile"
	"github.com/ada-mcp/ada-mcp/server"
)

const webhooksUsage = `Usage:
  ada-mcp webhooks setup --url https://mcp.example.com/webhooks/ada [--secret-file FILE]

Registers this server's webhook receiver with Ada in one step: an endpoint at
--url for the events ada-mcp keeps (` + "v1.conversation.*, v1.end_user.*" + `), created, or
updated if one with that URL exists, and enabled. Its signing secret is
written to --secret-file (mode 0600), never printed: start the server with
--webhook-secret-file FILE (or ADA_WEBHOOK_SECRET_FILE).

Ada is reached with the server's flags: ADA_API_KEY with ADA_BOT_HANDLE or
ADA_BASE_URL.

Flags:
`

func runWebhooks(ctx context.Context, args []string, std stdio) int {
	if len(args) == 0 || args[0] != "setup" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			// The flags are the verb's: its own --help lists them.
			fmt.Fprint(std.stdout, verbUsage(webhooksUsage, "ada-mcp webhooks setup --help"))
			return exitOK
		}
		fmt.Fprint(std.stderr, "ada-mcp webhooks: say setup\n\n"+verbUsage(webhooksUsage, "ada-mcp webhooks setup --help"))
		return exitUsage
	}
	var ada AdaConfig
	var hookURL, secretFile string
	e := &env{getenv: std.getenv}
	fs := flag.NewFlagSet("ada-mcp webhooks setup", flag.ContinueOnError)
	fs.SetOutput(std.stderr)
	fs.Usage = func() {
		fmt.Fprint(std.stderr, webhooksUsage)
		fs.PrintDefaults()
	}
	ada.addAccountFlags(fs, e)
	fs.StringVar(&hookURL, "url", "", "the public URL of this server's receiver, ending in /webhooks/ada")
	fs.StringVar(&secretFile, "secret-file", e.str("ADA_WEBHOOK_SECRET_FILE", "ada-webhook-secret"), "where to write the endpoint's signing secret (env ADA_WEBHOOK_SECRET_FILE)")
	err := parseFlags(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	ada.flagsWin(fs)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err == nil {
		err = errors.Join(e.errs...)
	}
	if err == nil {
		err = ada.validate(false)
	}
	if err == nil {
		err = checkHookURL(hookURL)
	}
	if err == nil {
		err = checkSecretDir(secretFile)
	}
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp webhooks setup:", err)
		return exitUsage
	}
	baseURL, _ := ada.baseURL()
	client, err := adaclient.New(baseURL, ada.APIKey, adaclient.WithUserAgent("ada-mcp/"+buildVersion()))
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp webhooks setup:", err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	hook, created, err := registerWebhook(ctx, client, hookURL)
	if err != nil {
		fmt.Fprintln(std.stderr, "ada-mcp webhooks setup:", err)
		return exitFail
	}
	secret, _, err := client.Webhooks.Secret(ctx, hook.ID)
	if err == nil {
		err = privfile.Write(secretFile, []byte(secret.Key+"\n"))
	}
	if err != nil {
		fmt.Fprintf(std.stderr, "ada-mcp webhooks setup: the endpoint %s is registered, but its secret could not be saved: %v\n", hook.ID, err)
		return exitFail
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintf(std.stdout, "Webhook endpoint %s %s: Ada delivers %s to %s.\n", hook.ID, verb, strings.Join(events.Kept, ", "), hook.URL)
	fmt.Fprintf(std.stdout, "Its signing secret is in %s (mode 0600). Start the server with --webhook-secret-file %s.\n", secretFile, secretFile)
	return exitOK
}

// checkHookURL wants an absolute URL; plain http only on this machine,
// since Ada delivers over the internet.
func checkHookURL(raw string) error {
	if raw == "" {
		return errors.New("--url is required: the public URL of the receiver, e.g. https://mcp.example.com/webhooks/ada")
	}
	if !adaclient.IsHTTPURL(raw) {
		return fmt.Errorf("--url %q is not an absolute http(s) URL", raw)
	}
	u, _ := url.Parse(raw)
	host := u.Hostname()
	if u.Scheme == "http" && host != "localhost" && host != "127.0.0.1" && host != "::1" {
		return fmt.Errorf("--url %q: Ada delivers over the internet; use https", raw)
	}
	if !strings.HasSuffix(u.Path, server.WebhookPath) || u.RawQuery != "" {
		// The server receives there and nowhere else, not even with a
		// trailing slash (its route matches the path exactly): every
		// delivery to another path would fail.
		return fmt.Errorf("--url %q: the receiver is at exactly %s, so the URL must end in %s (no trailing slash, no query), e.g. https://mcp.example.com%s",
			raw, server.WebhookPath, server.WebhookPath, server.WebhookPath)
	}
	return nil
}

// checkSecretDir makes sure the secret can be written beside where it
// goes before an endpoint is registered, without touching the file (a
// running server may be reading it).
func checkSecretDir(secretFile string) error {
	dir := filepath.Dir(secretFile)
	f, err := os.CreateTemp(dir, ".ada-mcp-secret-check-*")
	if err != nil {
		// Name the directory, not the probe's own temporary name.
		reason := "cannot write in its directory " + dir
		if errors.Is(err, os.ErrNotExist) {
			reason = "its directory " + dir + " does not exist"
		} else if errors.Is(err, os.ErrPermission) {
			reason = "its directory " + dir + " is not writable"
		}
		return fmt.Errorf("--secret-file %s: %s", secretFile, reason)
	}
	f.Close()
	return os.Remove(f.Name())
}

// registerWebhook makes sure one enabled endpoint at hookURL receives the
// kept events: the existing one is updated, else one is created.
func registerWebhook(ctx context.Context, c *adaclient.Client, hookURL string) (*adaclient.Webhook, bool, error) {
	opts := &adaclient.ListOptions{Limit: 100}
	for {
		hooks, r, err := c.Webhooks.List(ctx, opts)
		if err != nil {
			return nil, false, err
		}
		for _, h := range hooks {
			if h.URL != hookURL {
				continue
			}
			enabled := true
			filters := slices.Clone(events.Kept)
			upd, _, err := c.Webhooks.Update(ctx, h.ID, &adaclient.WebhookUpdate{EventFilters: filters, Enabled: &enabled})
			return upd, false, err
		}
		if r.NextCursor == "" {
			break
		}
		opts.Cursor = r.NextCursor
	}
	hook, _, err := c.Webhooks.Create(ctx, &adaclient.WebhookCreate{URL: hookURL, Description: "ada-mcp receiver", EventFilters: slices.Clone(events.Kept)})
	return hook, true, err
}
