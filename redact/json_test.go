package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// mustJSON decodes a JSON literal the way the server does (UseNumber).
func mustJSON(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad test JSON: %v\n%s", err, s)
	}
	return v
}

func encode(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// embed places s at every kind of position a tool result can hold a string:
// top level, lists, nested objects, metadata under safe and secret keys,
// sensitive_metadata, and inside prose.
func embed(s string) map[string]any {
	return map[string]any{
		"body": s,
		"list": []any{"x", s, []any{s}},
		"nested": map[string]any{
			"deeper": map[string]any{"text": "see " + s + " here"},
		},
		"author": map[string]any{"name": s},
		"metadata": map[string]any{
			"note":      s,
			"api_token": s,
			"nested":    map[string]any{"inner": []any{s}},
		},
		"chatter_metadata": map[string]any{"plan_type": s},
		"sensitive_metadata": map[string]any{
			"fields": map[string]any{"pin": s},
		},
	}
}

func TestJSONRedactsSecretsEverywhere(t *testing.T) {
	r := newTestRedactor()
	for _, tc := range secretCases {
		t.Run(tc.name, func(t *testing.T) {
			out := encode(t, r.JSON(embed(tc.in)))
			if strings.Contains(out, tc.leak) {
				t.Errorf("JSON output contains %q:\n%s", tc.leak, out)
			}
			// Same through a round trip of the encoded document.
			b, err := r.Bytes([]byte(encode(t, embed(tc.in))))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), tc.leak) {
				t.Errorf("Bytes output contains %q:\n%s", tc.leak, b)
			}
			if b, err = r.Marshal(embed(tc.in)); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), tc.leak) {
				t.Errorf("Marshal output contains %q:\n%s", tc.leak, b)
			}
		})
	}
}

func TestJSONStructuralRules(t *testing.T) {
	r := New()
	in := mustJSON(t, `{
		"_id": "65a1f0c2b3d4e5f60718293a",
		"author": {"id": "65a1f0c2b3d4e5f60718293b", "name": "Jane", "role": "end_user"},
		"session_count": 3,
		"token": "not-a-metadata-key",
		"created_at": "2024-01-15T10:30:00.123Z",
		"metadata": {
			"plan_type": "pro",
			"Password": "hunter22",
			"X-Auth-Token": 12345,
			"API_KEY": {"nested": "value"},
			"session_id": null,
			"author": "inside metadata the key rule applies",
			"card_last4": "1111",
			"loyalty_number": 4111111111111111,
			"order_total": 1999,
			"deep": {"client_secret": "s3cr3t", "ok": "fine", "list": [{"cvv": 123}]}
		},
		"end_user_metadata": {"ssn": "078-05-1120", "tier": "gold"},
		"chatterMetadata": {"passwd": "x", "lang": "en"},
		"metavariables": {"auth_token": "abc", "language": "fr"},
		"variables": {"card_number": "1234", "order_id": "48213"},
		"sensitive_metadata": {"fields": {"dob": "1990-01-01", "vip": true, "pin": 1234, "gone": null, "list": ["a", 7], "x_metadata": {"note": "n"}}}
	}`)
	want := mustJSON(t, `{
		"_id": "65a1f0c2b3d4e5f60718293a",
		"author": {"id": "65a1f0c2b3d4e5f60718293b", "name": "Jane", "role": "end_user"},
		"session_count": 3,
		"token": "not-a-metadata-key",
		"created_at": "2024-01-15T10:30:00.123Z",
		"metadata": {
			"plan_type": "pro",
			"Password": "[REDACTED]",
			"X-Auth-Token": "[REDACTED]",
			"API_KEY": "[REDACTED]",
			"session_id": null,
			"author": "[REDACTED]",
			"card_last4": "[REDACTED]",
			"loyalty_number": "[REDACTED]",
			"order_total": 1999,
			"deep": {"client_secret": "[REDACTED]", "ok": "fine", "list": [{"cvv": "[REDACTED]"}]}
		},
		"end_user_metadata": {"ssn": "[REDACTED]", "tier": "gold"},
		"chatterMetadata": {"passwd": "[REDACTED]", "lang": "en"},
		"metavariables": {"auth_token": "[REDACTED]", "language": "fr"},
		"variables": {"card_number": "[REDACTED]", "order_id": "48213"},
		"sensitive_metadata": {"fields": {"dob": "[REDACTED]", "vip": "[REDACTED]", "pin": "[REDACTED]", "gone": null, "list": ["[REDACTED]", "[REDACTED]"], "x_metadata": {"note": "[REDACTED]"}}}
	}`)
	if got := r.JSON(in); !reflect.DeepEqual(got, want) {
		t.Errorf("JSON =\n%s\nwant\n%s", encode(t, got), encode(t, want))
	}
}

func TestJSONCardNumbersOutsideMetadataKeepTheirType(t *testing.T) {
	// A 16-digit API number outside metadata (say an epoch in microseconds)
	// is data, not a customer-typed value; only metadata integers are
	// checked for card numbers.
	r := New()
	in := map[string]any{"ts": json.Number("4111111111111111"), "f": 4111111111111111.0}
	if got := r.JSON(in); !reflect.DeepEqual(got, in) {
		t.Errorf("JSON = %v", got)
	}
	md := map[string]any{"metadata": map[string]any{"n": 4111111111111111.0, "i": int64(4111111111111111), "bad": int64(4111111111111112)}}
	got := r.JSON(md).(map[string]any)["metadata"].(map[string]any)
	if got["n"] != Placeholder || got["i"] != Placeholder || got["bad"] != int64(4111111111111112) {
		t.Errorf("metadata numbers = %v", got)
	}
}

func TestJSONNumbersWithExactSecrets(t *testing.T) {
	r := New().WithValues(987654)
	in := []any{json.Number("987654"), 987654.0, 987654, int64(1987654), json.Number("98765"), "id 987654"}
	want := []any{Placeholder, Placeholder, Placeholder, Placeholder, json.Number("98765"), "id " + Placeholder}
	if got := r.JSON(in); !reflect.DeepEqual(got, want) {
		t.Errorf("JSON = %#v, want %#v", got, want)
	}
}

func TestJSONSecretMapKeys(t *testing.T) {
	r := New(WithSecrets(testAPIKey))
	got := r.JSON(map[string]any{"by-" + testAPIKey: 1})
	if _, ok := got.(map[string]any)["by-"+Placeholder]; !ok {
		t.Errorf("JSON = %v", got)
	}
	// Credential shapes are a value rule: keys are left alone.
	in := map[string]any{"4111111111111111": 1}
	if got := r.JSON(in); !reflect.DeepEqual(got, in) {
		t.Errorf("JSON = %v", got)
	}
}

func TestJSONDoesNotMutateInput(t *testing.T) {
	r := newTestRedactor()
	src := encode(t, embed(testAPIKey))
	in := mustJSON(t, src)
	pristine := mustJSON(t, src)

	out := r.JSON(in)
	if !reflect.DeepEqual(in, pristine) {
		t.Fatalf("input was mutated:\n%s", encode(t, in))
	}
	// The copy must not share storage: writing to it leaves the input alone.
	om := out.(map[string]any)
	om["body"] = "changed"
	om["list"].([]any)[0] = "changed"
	om["metadata"].(map[string]any)["note"] = "changed"
	if !reflect.DeepEqual(in, pristine) {
		t.Fatal("output shares storage with input")
	}
}

func TestJSONOtherGoTypes(t *testing.T) {
	r := newTestRedactor()
	type endUser struct {
		Name     string            `json:"name"`
		Metadata map[string]string `json:"metadata"`
		Raw      json.RawMessage   `json:"raw"`
		Blob     []byte            `json:"-"`
	}
	for name, v := range map[string]any{
		"struct":            endUser{Name: testAPIKey, Metadata: map[string]string{"token": "t0ps3cret"}, Raw: json.RawMessage(`{"s":"` + testSensitive + `"}`)},
		"pointer to struct": &endUser{Name: "Bearer abc.def", Metadata: map[string]string{"auth": "t0ps3cret"}},
		"map[string]string": map[string]string{"a": testAPIKey, "metadata": "x"},
		"[]string":          []string{testSensitive},
		"[]map[string]any":  []map[string]any{{"metadata": map[string]any{"token": "t0ps3cret"}}},
		"raw message":       json.RawMessage(`["` + testAPIKey + `"]`),
		"bytes":             []byte("key " + testAPIKey),
	} {
		t.Run(name, func(t *testing.T) {
			out := encode(t, r.JSON(v))
			for _, leak := range []string{testAPIKey, testSensitive, "t0ps3cret", "abc.def"} {
				if strings.Contains(out, leak) {
					t.Errorf("output contains %q: %s", leak, out)
				}
			}
		})
	}
	if got := r.JSON([]byte("key " + testAPIKey)); got != "key "+Placeholder {
		t.Errorf("[]byte = %#v, want redacted text", got)
	}
	if got := r.JSON(func() {}); got != Placeholder {
		t.Errorf("unmarshalable value = %v, want Placeholder", got)
	}
	if got := r.JSON(json.RawMessage(`{bad`)); got != Placeholder {
		t.Errorf("invalid RawMessage = %v, want Placeholder", got)
	}
}

func TestBytesKeepsNumbersAndText(t *testing.T) {
	r := New()
	in := `{"a":1.0,"b":1e3,"c":12345678901234567890,"d":-0.0,"e":4111111111111112,"f":3.141592653589793238462643,"g":"<b>&amp;</b>","h":"4111111111111112","i":[true,false,null],"j":"Olá 👋"}`
	// Bytes returns this document after one scan; the decode-redact-encode
	// path, taken when anything needs redacting, must keep it too (its keys
	// are already sorted).
	for name, redactBytes := range map[string]func([]byte) ([]byte, error){"Bytes": r.Bytes, "slow path": r.reencode} {
		out, err := redactBytes([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != in {
			t.Errorf("%s changed a document with nothing to redact:\n got %s\nwant %s", name, out, in)
		}
	}
}

func TestMarshal(t *testing.T) {
	r := New(WithSecrets(testAPIKey))
	type msg struct {
		Text     string          `json:"text"`
		Raw      json.RawMessage `json:"raw,omitempty"`
		Metadata map[string]any  `json:"metadata,omitempty"`
	}
	for _, tc := range []struct {
		name string
		in   msg
		want string
	}{
		{"clean, HTML unescaped, struct order kept", msg{Text: "<b>Tom & Jerry</b>", Metadata: map[string]any{"n": json.Number("12345678901234567890")}},
			`{"text":"<b>Tom & Jerry</b>","metadata":{"n":12345678901234567890}}`},
		{"secret", msg{Text: "key " + testAPIKey, Metadata: map[string]any{"user_token": "abc", "plan": "pro"}},
			`{"metadata":{"plan":"pro","user_token":"[REDACTED]"},"text":"key [REDACTED]"}`},
		{"invalid UTF-8 in raw JSON is replaced", msg{Text: "x", Raw: json.RawMessage("\"a\xffb\"")},
			"{\"raw\":\"a\ufffdb\",\"text\":\"x\"}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Marshal(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("Marshal =\n%s\nwant\n%s", out, tc.want)
			}
		})
	}
	if _, err := r.Marshal(map[string]any{"f": math.NaN()}); err == nil {
		t.Error("Marshal(NaN) succeeded")
	}
}

func TestBytesRedacts(t *testing.T) {
	r := New(WithSecrets(testAPIKey))
	in := `{"messages":[{"author":{"name":"Ann"},"text":"key ` + testAPIKey + `","metadata":{"plan_type":"pro","user_token":"abc","n":10.50}}]}`
	want := `{"messages":[{"author":{"name":"Ann"},"metadata":{"n":10.50,"plan_type":"pro","user_token":"[REDACTED]"},"text":"key [REDACTED]"}]}`
	out, err := r.Bytes([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Errorf("Bytes =\n%s\nwant\n%s", out, want)
	}
}

func TestBytesErrorsDoNotLeak(t *testing.T) {
	r := New(WithSecrets(testAPIKey))
	for _, in := range []string{
		``,
		`{"k":"` + testAPIKey + `"`,
		`{"k":"` + testAPIKey + `"} {"again":1}`,
		`{"k":` + testAPIKey + `}`,
		`"` + testAPIKey + `" trailing`,
	} {
		out, err := r.Bytes([]byte(in))
		if err == nil {
			t.Errorf("Bytes(%q) succeeded: %s", in, out)
			continue
		}
		if out != nil {
			t.Errorf("Bytes(%q) returned output on error", in)
		}
		// Decoder messages quote input characters ("invalid character 'a'");
		// ours carry an offset at most.
		if msg := err.Error(); !strings.HasPrefix(msg, "redact: ") || strings.ContainsAny(msg, "'\"") || strings.Contains(msg, "ada_") {
			t.Errorf("error quotes the input: %v", err)
		}
	}
}

func ExampleRedactor_JSON() {
	r := New(WithSecrets("ada_live_3f9c2b7e81d04a6f9e5c3b1a7d2e8f40"))
	result := map[string]any{
		"author":   map[string]any{"name": "Ann"},
		"text":     "Card 4111 1111 1111 1111, thanks!",
		"metadata": map[string]any{"plan_type": "pro", "auth_token": "abc123"},
	}
	b, _ := json.Marshal(r.JSON(result))
	fmt.Println(string(b))
	// Output: {"author":{"name":"Ann"},"metadata":{"auth_token":"[REDACTED]","plan_type":"pro"},"text":"Card [REDACTED], thanks!"}
}

// The scan behind Bytes' shortcut must say "not clean" for every document
// the slow path would change, and "clean" for ordinary results (or the
// shortcut is dead code). FuzzBytesFastPath checks the first half widely.
func TestCleanScan(t *testing.T) {
	r := newTestRedactor()
	for _, tc := range []struct {
		doc   string
		clean bool
	}{
		{string(mustMarshal(t, sampleResult(2))), false}, // session_token in metadata
		{`{"author":{"name":"Ann"},"text":"Hi \u003cb\u003e\n","n":[1,2.5,-3e2],"ok":true,"x":null}`, true},
		{`{"metadata":{"plan":"pro","api_key":null,"n":1234}}`, true},
		{`{"sensitive_metadata":{"a":null,"b":{"c":null},"d":[]}}`, true},
		{`{"token":"outside metadata the key rule does not apply"}`, true},
		{`{"text":"key ` + testAPIKey + `"}`, false},
		{`{"t":"` + testJWT + `"}`, false},
		{`{"` + testAPIKey + `":1}`, false},
		{`{"metadata":{"Auth-Token":"x"}}`, false},
		{`{"end_user":{"metadata":{"n":4111111111111111}}}`, false},
		{`{"sensitive_metadata":{"pin":"1234"}}`, false},
		{`{"sensitive_metadata":{"ok":false}}`, false},
		{`{"sensitive_metadata":{"n":[7]}}`, false},
		{`{"meta\u0064ata":{"plan":"pro"}}`, false}, // escaped key: not trusted
		{`"Bearer abcdefgh12345678"`, false},
		// A document with escapes is checked string by string, unquoted:
		// a secret or a credential spelled with an escape is still found.
		{`{"t":"key ` + fmt.Sprintf(`\u%04x`, testAPIKey[0]) + testAPIKey[1:] + `"}`, false},
		{`{"t":"\u0042earer abcdefgh12345678"}`, false},
		// Without escapes, the whole document is searched first; prose
		// that only looks like a credential's start is still clean.
		{`{"t":"the bearer of this card","u":"ey","v":"J"}`, true},
	} {
		if got := r.clean([]byte(tc.doc)); got != tc.clean {
			t.Errorf("clean(%s) = %v, want %v", tc.doc, got, tc.clean)
		}
	}
	in := []byte(`{"b":1,"a":"text"}`)
	if out, err := r.Bytes(in); err != nil || &out[0] != &in[0] {
		t.Errorf("Bytes copied a clean document (%s, %v); want it returned as is", out, err)
	}
}
