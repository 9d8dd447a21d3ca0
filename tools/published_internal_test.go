package tools

import (
	"os"
	"reflect"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/schemagen"
	"github.com/ada-mcp/ada-mcp/schemas"
)

// UPDATE_SNAPSHOTS rebuilds every tool from schemas reflected now, not from
// the generated tables it rewrites: a new or changed schema is generated,
// and snapshotted, in one run.
func init() {
	if os.Getenv("UPDATE_SNAPSHOTS") != "" {
		schemas.ReflectWith(schemagen.Schema)
	}
}

// The server's schemas come from schemas/published_gen.go (the published
// ones) and bounded_gen.go (those arguments are checked against),
// generated from the Go types so that the server neither reflects them at
// start nor links the reflector; this keeps the tables equal to the
// reflection, for every tool of every toolset. UPDATE_SNAPSHOTS=1 rewrites
// them (with the tool snapshots).
func TestPublishedSchemasAreGenerated(t *testing.T) {
	all, err := Select(Toolsets(&Deps{}), []string{"all"}, false)
	if err != nil {
		t.Fatal(err)
	}
	published, bounded := map[string]string{}, map[string]string{}
	for _, tool := range all {
		for _, s := range []struct {
			kind  string
			t     reflect.Type
			table map[string]string
		}{
			{schemas.KindInput, tool.argsType, published},
			{schemas.KindOutput, tool.resultType, published},
			{schemas.KindBounded, tool.argsType, bounded},
		} {
			reflected := string(schemagen.Schema(s.t, s.kind))
			s.table[schemas.GeneratedKey(s.t, s.kind)] = reflected
			if generated, ok := schemas.Generated(s.t, s.kind); (!ok || generated != reflected) && os.Getenv("UPDATE_SNAPSHOTS") == "" {
				t.Errorf("%s: the generated %s schema of %v is not its reflection: run %s", tool.Name(), s.kind, s.t, schemagen.GenerateCommand)
			}
		}
	}
	if os.Getenv("UPDATE_SNAPSHOTS") == "" {
		return
	}
	for _, f := range []struct {
		path, name, doc string
		table           map[string]string
	}{
		{"../schemas/published_gen.go", "publishedSchemas", "publishedSchemas are the published schemas of every tool, by GeneratedKey.", published},
		{"../schemas/bounded_gen.go", "boundedSchemas", "boundedSchemas are the schemas every tool's arguments are checked against, by GeneratedKey.", bounded},
	} {
		src, err := schemagen.Table(f.name, f.doc, f.table)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.path, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
