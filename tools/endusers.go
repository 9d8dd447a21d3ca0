package tools

import (
	"context"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetEndUsers = "end_users"

func endUserTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "lookup_end_user", title: "Look up an end user", toolset: toolsetEndUsers, hints: reads,
			description: "Find one end user by end_user_id or by your external_id. Returns found:false (not an error) when there is none: then use upsert_end_user.",
		}, d, lookupEndUser),
		newTool(meta{
			name: "list_end_users", title: "List end users", toolset: toolsetEndUsers, hints: reads,
			description: "List end users, oldest first, one page at a time. Returns end_users, next_cursor and has_more.",
		}, d, listEndUsers),
		newTool(meta{
			name: "upsert_end_user", title: "Create or update an end user", toolset: toolsetEndUsers, hints: idemWrites,
			description: "Create the end user for your external_id, or find the existing one (created:false) and apply the profile; or update by end_user_id. Use before start_conversation so the greeting has the context (Ada deletes a new end user that no conversation joins within 24 h). sensitive_metadata is write-only.",
		}, d, upsertEndUser),
		newTool(meta{
			name: "update_end_user", title: "Update an end user", toolset: toolsetEndUsers, hints: idemWrites,
			description: "Update an end user's profile, external_id (null clears it) or sensitive_metadata (null removes a key). Returns the end user.",
		}, d, updateEndUser),
	}
}

func lookupEndUser(ctx context.Context, env *Env, a *schemas.LookupEndUserArgs) (*schemas.LookupEndUserResult, error) {
	var u *adaclient.EndUser
	var err error
	if a.EndUserID != "" {
		u, _, err = env.Client.EndUsers.Get(ctx, a.EndUserID)
	} else {
		u, _, err = env.Client.EndUsers.GetByExternalID(ctx, a.ExternalID)
	}
	if adaclient.IsNotFound(err) {
		return &schemas.LookupEndUserResult{Found: false}, nil
	}
	if err != nil {
		return nil, err
	}
	eu := schemas.EndUserFrom(u)
	return &schemas.LookupEndUserResult{Found: true, EndUser: &eu}, nil
}

const defaultEndUsersPage = 20

func listEndUsers(ctx context.Context, env *Env, a *schemas.ListEndUsersArgs) (*schemas.ListEndUsersResult, error) {
	limit := a.Limit
	if limit == 0 {
		limit = defaultEndUsersPage
	}
	us, r, err := env.Client.EndUsers.List(ctx, &adaclient.ListOptions{Limit: limit, Cursor: a.Cursor})
	if err != nil {
		return nil, err
	}
	listed, cut := schemas.ListedEndUsersFrom(us)
	return &schemas.ListEndUsersResult{EndUsers: listed, MetadataTruncated: cut, Page: pageOf(r)}, nil
}

func pageOf(r *adaclient.Response) schemas.Page {
	return schemas.Page{NextCursor: r.NextCursor, HasMore: r.NextCursor != ""}
}

func upsertEndUser(ctx context.Context, env *Env, a *schemas.UpsertEndUserArgs) (*schemas.UpsertEndUserResult, error) {
	u, created, err := upsert(ctx, env.Client, a.ExternalID, a.EndUserID, a.Profile.Args(), a.SensitiveMetadata)
	if err != nil {
		return nil, err
	}
	keys := schemas.SensitiveKeysOf(a.SensitiveMetadata)
	if created {
		keys.SensitiveKeysRemoved = nil // a new user had nothing to remove
	}
	return &schemas.UpsertEndUserResult{Created: created, EndUser: schemas.EndUserFrom(u), SensitiveKeys: keys}, nil
}

// upsert is the end-user half of upsert_end_user and start_conversation:
// with an end_user_id, PATCH; with an external_id, POST (Ada returns the
// existing user with 200) and, if the user existed and there is something
// to set, PATCH it, since POST leaves an existing user unchanged.
func upsert(ctx context.Context, c *adaclient.Client, externalID, endUserID string, p *schemas.ProfileArgs, sensitive schemas.SensitiveMetadata) (*adaclient.EndUser, bool, error) {
	nothingToSet := p.IsEmpty() && len(sensitive) == 0
	if endUserID != "" {
		if nothingToSet {
			u, _, err := c.EndUsers.Get(ctx, endUserID)
			return u, false, err
		}
		u, _, err := c.EndUsers.Update(ctx, endUserID, p.UpdateRequest(adaclient.Nullable[string]{}, sensitive))
		return u, false, err
	}
	if sharesKeys(p, sensitive) {
		// Ada refuses a key in both metadata and sensitive_metadata when it
		// creates an end user, not when it updates one: an existing one is
		// updated directly (a new one is refused by Create, saying why).
		existing, _, err := c.EndUsers.GetByExternalID(ctx, externalID)
		switch {
		case err == nil:
			u, _, err := c.EndUsers.Update(ctx, existing.EndUserID, p.UpdateRequest(adaclient.Nullable[string]{}, sensitive))
			return u, false, err
		case !adaclient.IsNotFound(err):
			return nil, false, err
		}
	}
	u, r, err := c.EndUsers.Create(ctx, p.CreateRequest(externalID, sensitive))
	if err != nil {
		return nil, false, err
	}
	created := adaclient.Created(r)
	if created || nothingToSet {
		return u, created, nil
	}
	id := u.EndUserID
	u, _, err = c.EndUsers.Update(ctx, id, p.UpdateRequest(adaclient.Nullable[string]{}, sensitive))
	if err != nil {
		return nil, false, withHint(err, "The end user %s already existed for this external_id; applying the profile to it failed.", id)
	}
	return u, false, nil
}

// sharesKeys reports whether a key is set both in the profile's metadata
// and in sensitive_metadata.
func sharesKeys(p *schemas.ProfileArgs, sensitive schemas.SensitiveMetadata) bool {
	if p == nil {
		return false
	}
	for k, v := range sensitive {
		if _, ok := p.Metadata[k]; ok && v != nil {
			return true
		}
	}
	return false
}

func updateEndUser(ctx context.Context, env *Env, a *schemas.UpdateEndUserArgs) (*schemas.UpdateEndUserResult, error) {
	u, _, err := env.Client.EndUsers.Update(ctx, a.EndUserID, a.Profile.UpdateRequest(a.ExternalID, a.SensitiveMetadata))
	if adaclient.IsConflict(err) {
		return nil, withHint(err, "That external_id already belongs to another end user: find them with lookup_end_user, or clear it there first (external_id: null).")
	}
	if err != nil {
		return nil, err
	}
	return &schemas.UpdateEndUserResult{EndUser: schemas.EndUserFrom(u), SensitiveKeys: schemas.SensitiveKeysOf(a.SensitiveMetadata)}, nil
}
