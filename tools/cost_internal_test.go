package tools

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/ada-mcp/ada-mcp/internal/jsonscan"
	"github.com/ada-mcp/ada-mcp/schemas"
)

func repeatJSON(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

// What a call's arguments cost the handler (the check, then the typed
// decode) is a small multiple of their size, for the shapes that cost the
// most per byte, up to what the transport guard lets through
// (jsonscan.MaxValues): perByte times the size, plus a constant for
// the error message and the decoder. A refusal costs next to nothing: the
// check decodes nothing.
func TestArgumentsCostIsBounded(t *testing.T) {
	const perByte, constant = 32, 64 << 10 // the worst so far: about 19 (a struct of 88 bytes from {"match":"any"})
	const refusal = 64 << 10               // whatever the size
	var metadataKeys []string
	for i := range schemas.DefaultMaxProperties {
		metadataKeys = append(metadataKeys, fmt.Sprintf(`"k%d":[]`, i))
	}
	for _, tc := range []struct {
		name string
		dec  func() (*argDecoder, any)
		args string
		max  int // 0: perByte times the size, plus constant
	}{
		{"empty rule conditions (refused)", decoderOf[schemas.UpsertArticlesArgs]("upsert_articles"),
			`{"articles":[` + repeatJSON(`{"id":"a","name":"n","content":"c","knowledge_source_id":"k","availability_rules":{"match":"all","conditions":[`+repeatJSON("{}", 190)+`]}}`, 100) + `]}`, 0},
		{"one-key rule conditions", decoderOf[schemas.UpsertArticlesArgs]("upsert_articles"),
			`{"articles":[` + repeatJSON(`{"id":"a","name":"n","content":"c","knowledge_source_id":"k","availability_rules":{"match":"all","conditions":[`+repeatJSON(`{"match":"any"}`, 95)+`]}}`, 100) + `]}`, 0},
		{"one-letter tags", decoderOf[schemas.UpsertArticlesArgs]("upsert_articles"),
			`{"articles":[` + repeatJSON(`{"id":"a","name":"n","content":"c","knowledge_source_id":"k","tag_ids":[`+repeatJSON(`"t"`, 190)+`]}`, 100) + `]}`, 0},
		{"wrong identifiers, an error each", decoderOf[schemas.DeleteEndUserDataArgs]("delete_end_user_data"),
			`{"identifiers":[` + repeatJSON(`{"a":1}`, 1000) + `]}`, refusal},
		{"identifiers over the bound", decoderOf[schemas.DeleteEndUserDataArgs]("delete_end_user_data"),
			`{"identifiers":[` + repeatJSON("0", jsonscan.MaxValues-1) + `]}`, refusal},
		{"wrong metadata values", decoderOf[schemas.UpsertEndUserArgs]("upsert_end_user"),
			`{"external_id":"a","profile":{"metadata":{` + strings.Join(metadataKeys, ",") + `}}}`, refusal},
		{"numbers in knowledge metadata", decoderOf[schemas.CreateKnowledgeSourceArgs]("create_knowledge_source"),
			`{"id":"a","name":"b","metadata":{"x":[` + repeatJSON("0", jsonscan.MaxValues-4) + `]}}`, 0},
		{"a 1 MiB string", decoderOf[schemas.UpsertEndUserArgs]("upsert_end_user"),
			`{"external_id":"a","profile":{"first_name":"` + strings.Repeat("x", 1<<20) + `"}}`, refusal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":` + tc.args + `}}`
			if _, p := jsonscan.Guard([]byte(msg)); p != nil {
				t.Fatalf("the transport refuses this input (%+v): test one it lets through", p)
			}
			dec, out := tc.dec()
			raw := json.RawMessage(tc.args)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_ = dec.decode(raw, out)
			runtime.ReadMemStats(&after)
			max := tc.max
			if max == 0 {
				max = perByte*len(tc.args) + constant
			}
			if alloc := int(after.TotalAlloc - before.TotalAlloc); alloc > max {
				t.Errorf("%d bytes of arguments cost %d KiB, over %d KiB", len(tc.args), alloc>>10, max>>10)
			} else {
				t.Logf("%d bytes of arguments cost %d KiB", len(tc.args), alloc>>10)
			}
		})
	}
}

func decoderOf[A any](tool string) func() (*argDecoder, any) {
	return func() (*argDecoder, any) {
		d, err := argDecoderFor(tool, schemas.Bounded[A]())
		if err != nil {
			panic(err)
		}
		return d, new(A)
	}
}
