package tools

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/ada-mcp/ada-mcp/adaclient"
	"github.com/ada-mcp/ada-mcp/schemas"
)

const toolsetKnowledge = "knowledge"

func knowledgeTools(d *Deps) []Tool {
	return []Tool{
		newTool(meta{
			name: "list_knowledge_sources", title: "List knowledge sources", toolset: toolsetKnowledge, hints: reads,
			description: "List every knowledge source (the sets articles belong to), with status deleting while Ada deletes one. Returns knowledge_sources.",
		}, d, listKnowledgeSources),
		newTool(meta{
			name: "create_knowledge_source", title: "Create a knowledge source", toolset: toolsetKnowledge, hints: writes,
			description: "Create a knowledge source with your id and a name, before upserting its articles. Fails if the id exists: then use update_knowledge_source. Returns the source.",
		}, d, createKnowledgeSource),
		newTool(meta{
			name: "update_knowledge_source", title: "Update a knowledge source", toolset: toolsetKnowledge, hints: idemWrites,
			description: "Change a knowledge source's name, external_id (null clears it) or metadata; fields not given stay. Returns the source.",
		}, d, updateKnowledgeSource),
		newTool(meta{
			name: "delete_knowledge_source", title: "Delete a knowledge source", toolset: toolsetKnowledge, hints: destroys,
			description: "Delete a knowledge source AND all its articles. Ada deletes in the background: list_knowledge_sources shows status deleting until the source is gone.",
		}, d, deleteKnowledgeSource),
		newTool(meta{
			name: "list_articles", title: "List knowledge articles", toolset: toolsetKnowledge, hints: reads,
			description: "List knowledge articles without their content, filtered by id, enabled, language, knowledge_source_id or tag_ids (each a list). Use get_article for the content. Returns articles, next_cursor and has_more.",
		}, d, listArticles),
		newTool(meta{
			name: "get_article", title: "Get a knowledge article", toolset: toolsetKnowledge, hints: reads,
			description: "Get one knowledge article with its markdown content (cut at 20,000 characters: content_truncated), tags, metadata and availability rule.",
		}, d, getArticle),
		newTool(meta{
			name: "upsert_articles", title: "Create or update knowledge articles", toolset: toolsetKnowledge, hints: idemWrites,
			description: "Create or update up to 100 knowledge articles by id (Ada takes more: call again). Each needs an existing knowledge_source_id. Returns per article success and created.",
		}, d, upsertArticles),
		newTool(meta{
			name: "delete_articles", title: "Delete knowledge articles", toolset: toolsetKnowledge, hints: destroys,
			description: "Delete knowledge articles by ids (at once, result per id), or all matching filters (Ada deletes in the background; list_articles with the same filters shows what remains). Give one or the other.",
		}, d, deleteArticles),
		newTool(meta{
			name: "list_tags", title: "List article tags", toolset: toolsetKnowledge, hints: reads,
			description: "List every article tag (id and name): the ids for tag_ids in upsert_articles and list_articles.",
		}, d, listTags),
		newTool(meta{
			name: "upsert_tags", title: "Create or rename article tags", toolset: toolsetKnowledge, hints: idemWrites,
			description: "Create or rename up to 100 article tags by id. Returns per tag success and created.",
		}, d, upsertTags),
		newTool(meta{
			name: "delete_tags", title: "Delete article tags", toolset: toolsetKnowledge, hints: destroys,
			description: "Delete article tags by ids (up to 50). Returns per id whether it was deleted.",
		}, d, deleteTags),
	}
}

func listKnowledgeSources(ctx context.Context, env *Env, _ *schemas.ListKnowledgeSourcesArgs) (*schemas.ListKnowledgeSourcesResult, error) {
	srcs, _, err := env.Client.Knowledge.ListSources(ctx)
	if err != nil {
		return nil, err
	}
	return &schemas.ListKnowledgeSourcesResult{KnowledgeSources: schemas.KnowledgeSourcesFrom(srcs)}, nil
}

func createKnowledgeSource(ctx context.Context, env *Env, a *schemas.CreateKnowledgeSourceArgs) (*schemas.KnowledgeSourceResult, error) {
	ks, _, err := env.Client.Knowledge.CreateSource(ctx, a.Request())
	if adaclient.IsConflict(err) {
		return nil, withHint(err, "A knowledge source with id %q already exists: change it with update_knowledge_source, or choose another id.", a.ID)
	}
	if err != nil {
		return nil, hintIfUncertain(err, "Check list_knowledge_sources before creating it again.")
	}
	return &schemas.KnowledgeSourceResult{KnowledgeSource: schemas.KnowledgeSourceFrom(ks)}, nil
}

func updateKnowledgeSource(ctx context.Context, env *Env, a *schemas.UpdateKnowledgeSourceArgs) (*schemas.KnowledgeSourceResult, error) {
	ks, _, err := env.Client.Knowledge.UpdateSource(ctx, a.ID, a.Request())
	if err != nil {
		return nil, notFoundHint(err, "list_knowledge_sources shows the sources.")
	}
	return &schemas.KnowledgeSourceResult{KnowledgeSource: schemas.KnowledgeSourceFrom(ks)}, nil
}

// deleteSourceNote is delete_knowledge_source's note on what happens next.
const deleteSourceNote = "Ada accepted the deletion and deletes the source and all its articles in the background. " +
	"list_knowledge_sources shows status deleting until it is gone; delete_failed means call delete_knowledge_source again."

func deleteKnowledgeSource(ctx context.Context, env *Env, a *schemas.KnowledgeSourceArgs) (*schemas.DeleteKnowledgeSourceResult, error) {
	_, err := env.Client.Knowledge.DeleteSource(ctx, a.ID)
	if adaclient.IsNotFound(err) {
		return nil, withHint(err, "It may already be deleted: list_knowledge_sources shows the sources that remain.")
	}
	if err != nil {
		return nil, err
	}
	return &schemas.DeleteKnowledgeSourceResult{ID: a.ID, Status: adaclient.KnowledgeSourceDeleting, Note: deleteSourceNote}, nil
}

func listArticles(ctx context.Context, env *Env, a *schemas.ListArticlesArgs) (*schemas.ListArticlesResult, error) {
	arts, r, err := env.Client.Knowledge.ListArticles(ctx, a.Options())
	if err != nil {
		return nil, err
	}
	page := pageOf(r)
	page.NextCursor = a.NextCursor(page.NextCursor) // bound to these filters
	return &schemas.ListArticlesResult{Articles: schemas.ArticleSummariesFrom(arts), Page: page}, nil
}

func getArticle(ctx context.Context, env *Env, a *schemas.ArticleArgs) (*schemas.ArticleResult, error) {
	art, _, err := env.Client.Knowledge.GetArticle(ctx, a.ID)
	if err != nil {
		return nil, notFoundHint(err, "list_articles shows the articles.")
	}
	return &schemas.ArticleResult{Article: schemas.ArticleFrom(art)}, nil
}

func upsertArticles(ctx context.Context, env *Env, a *schemas.UpsertArticlesArgs) (*schemas.UpsertResult, error) {
	res, _, err := env.Client.Knowledge.UpsertArticles(ctx, a.Request())
	if al, ok := adaclient.ArticleLimitFrom(err); ok {
		return nil, &articleLimitError{al}
	}
	if adaclient.StatusCode(err) == http.StatusBadRequest {
		return nil, withHint(err, "Nothing was saved: Ada rejects the whole batch. knowledge_source_id must name a source in list_knowledge_sources that is not being deleted, and tag_ids tags in list_tags.")
	}
	if err != nil {
		return nil, err
	}
	return schemas.UpsertResultFrom(res, "get_article"), nil
}

// articleLimitError is Ada's rejection of a batch that would take the
// knowledge base past its article limit, told with what to do.
type articleLimitError struct{ *adaclient.ArticleLimit }

func (e *articleLimitError) plain() {}

func (e *articleLimitError) Error() string {
	limit := "its article limit"
	if e.Limit > 0 {
		limit = fmt.Sprintf("its limit of %d articles", e.Limit)
	}
	ids := strings.Join(e.NewArticleIDs, ", ")
	if more := e.NewArticleCount - len(e.NewArticleIDs); more > 0 {
		ids += fmt.Sprintf(" and %d more", more)
	}
	return fmt.Sprintf("Ada rejected the whole batch, nothing was saved: the knowledge base is at %s (%q) and this batch adds %d new article(s) (%s). "+
		"Articles that already exist can still be updated: send the batch again without the new ids, or delete articles first (delete_articles)",
		limit, e.Message, e.NewArticleCount, ids)
}

// filterDeleteNote is delete_articles' note after a deletion by filters.
const filterDeleteNote = "Ada accepted the deletion and deletes the matching articles in the background: list_articles with the same filters shows those that remain."

func deleteArticles(ctx context.Context, env *Env, a *schemas.DeleteArticlesArgs) (*schemas.DeleteArticlesResult, error) {
	if len(a.IDs) > 0 {
		results, err := deleteEach(ctx, a.IDs, env.Client.Knowledge.DeleteArticle)
		if err != nil {
			return nil, err
		}
		return &schemas.DeleteArticlesResult{Results: results}, nil
	}
	_, err := env.Client.Knowledge.DeleteArticles(ctx, a.Filter())
	if adaclient.IsNotFound(err) {
		// Ada's 404 here means no article matched: nothing to delete.
		return &schemas.DeleteArticlesResult{Accepted: false, Note: "No article matches these filters (Ada answered 404): nothing was deleted."}, nil
	}
	if err != nil {
		return nil, err
	}
	return &schemas.DeleteArticlesResult{Accepted: true, Note: filterDeleteNote}, nil
}

func listTags(ctx context.Context, env *Env, _ *schemas.ListTagsArgs) (*schemas.ListTagsResult, error) {
	tags, _, err := env.Client.Knowledge.ListTags(ctx)
	if err != nil {
		return nil, err
	}
	return &schemas.ListTagsResult{Tags: schemas.TagsFrom(tags)}, nil
}

func upsertTags(ctx context.Context, env *Env, a *schemas.UpsertTagsArgs) (*schemas.UpsertResult, error) {
	res, _, err := env.Client.Knowledge.UpsertTags(ctx, a.Request())
	if err != nil {
		return nil, err
	}
	return schemas.UpsertResultFrom(res, "list_tags"), nil
}

func deleteTags(ctx context.Context, env *Env, a *schemas.DeleteTagsArgs) (*schemas.DeleteTagsResult, error) {
	results, err := deleteEach(ctx, a.IDs, env.Client.Knowledge.DeleteTag)
	if err != nil {
		return nil, err
	}
	return &schemas.DeleteTagsResult{Results: results}, nil
}

// deleteEach deletes ids one request each, in order, and reports each
// outcome. A 404 or another 4xx about one id is that id's outcome; an error
// that would fail the others too (the key, the rate limit, Ada down, the
// call's time running out) stops there: it is the call's error when nothing
// was deleted yet, else every remaining id's outcome.
func deleteEach(ctx context.Context, ids []string, del func(context.Context, string) (*adaclient.Response, error)) ([]schemas.DeleteOutcome, error) {
	out := make([]schemas.DeleteOutcome, 0, len(ids))
	for i, id := range ids {
		_, err := del(ctx, id)
		switch status := adaclient.StatusCode(err); {
		case err == nil:
			out = append(out, schemas.DeleteOutcome{ID: id, Deleted: true})
			continue
		case status == http.StatusNotFound:
			// A retried DELETE also ends here when an earlier attempt deleted it.
			out = append(out, schemas.DeleteOutcome{ID: id, Error: "not found (404): it may already be deleted"})
			continue
		case status >= 400 && status < 500 && status != http.StatusUnauthorized && status != http.StatusForbidden &&
			status != http.StatusTooManyRequests:
			out = append(out, schemas.DeleteOutcome{ID: id, Error: describe(err)})
			continue
		}
		if !anyDeleted(out) {
			return nil, withHint(err, "Nothing was deleted.")
		}
		reason := describe(err)
		out = append(out, schemas.DeleteOutcome{ID: id, Error: reason})
		for _, rest := range ids[i+1:] {
			out = append(out, schemas.DeleteOutcome{ID: rest, Error: "not attempted: " + reason})
		}
		break
	}
	return out, nil
}

func anyDeleted(out []schemas.DeleteOutcome) bool {
	for _, o := range out {
		if o.Deleted {
			return true
		}
	}
	return false
}

// notFoundHint adds hint to Ada's 404.
func notFoundHint(err error, hint string) error {
	if adaclient.IsNotFound(err) {
		return withHint(err, "%s", hint)
	}
	return err
}
