package redact

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every character of the ranges, raw: all go, and nothing near them.
func TestInvisibleRanges(t *testing.T) {
	var want []rune
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if Invisible(r) {
			want = append(want, r)
		}
	}
	if len(want) != 3+5+1+4+1+128 {
		t.Fatalf("%d invisible characters, want 142", len(want))
	}
	for _, r := range want {
		doc, _ := json.Marshal(map[string]string{"s": "a" + string(r) + "b"})
		out, n, err := StripInvisible(doc, New())
		if err != nil || n != 1 || string(out) != `{"s":"ab"}` {
			t.Errorf("U+%04X: %s, %d, %v", r, out, n, err)
		}
	}
	// Neighbours stay: ZWNJ's neighbours, LRM, U+2028, other tags' plane
	// characters, smart quotes, emoji.
	for _, s := range []string{"\u200A", "\u200E", "\u2028", "\u202F", "\u2065", "\u206A", "\uFEFE", "\U000E0080", "\U000DFFFF", "“x”", "😀"} {
		doc, _ := json.Marshal(map[string]string{"s": s})
		if out, n, err := StripInvisible(doc, New()); err != nil || n != 0 || string(out) != string(doc) {
			t.Errorf("%q: %s, %d, %v", s, out, n, err)
		}
	}
}

func TestStripInvisible(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		n              int
	}{
		{"nothing", `{"a":"plain “text” 😀","b":[1,2.50,true,null]}`, `{"a":"plain “text” 😀","b":[1,2.50,true,null]}`, 0},
		{"values, in one pass", "{\"a\":\"ad\u202Emin\u202C\",\"b\":[\"x\u200By\",\"\U000E0049\U000E0067\"],\"c\":\"\\\"q\u2066\\\\\"}", `{"a":"admin","b":["xy",""],"c":"\"q\\"}`, 6},
		{"a key", "{\"pass\u200Bword\":\"x\u200D\",\"b\":\"y\"}", `{"b":"y","password":"x"}`, 2},
		{"escaped", `{"a":"x\u202ey\udb40\udc41z\ufeff","b":"\u2028\ufffd"}`, "{\"a\":\"xyz\",\"b\":\"\u2028\uFFFD\"}", 3},
		{"a lone escaped high surrogate stays", `{"a":"x\udb40y"}`, `{"a":"x\udb40y"}`, 0},
		{"a key that would become another", "{\"vip\":\"no\",\"vip\u200B\":\"yes\",\"\u200Bvip\":\"maybe\"}", "{\"vip\":\"no\",\"vip\uFFFD\":\"yes\",\"\uFFFDvip\":\"maybe\"}", 2},
		{"two keys that become the same", "{\"\u2060k\":1,\"k\u2060\":2}", "{\"k\":2,\"\uFFFDk\":1}", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, n, err := StripInvisible([]byte(c.in), New())
			if err != nil || n != c.n || !sameJSON(t, out, c.want) {
				t.Fatalf("StripInvisible(%q) = %q, %d, %v; want %q, %d", c.in, out, n, err, c.want, c.n)
			}
		})
	}
}

func TestStripInvisibleString(t *testing.T) {
	for _, c := range []struct {
		in, want string
		n        int
	}{{"ad\u202Emin\U000E0041", "admin", 2}, {"no “hidden” text", "no “hidden” text", 0}} {
		if got, n := StripInvisibleString(c.in); got != c.want || n != c.n {
			t.Errorf("StripInvisibleString(%q) = %q, %d; want %q, %d", c.in, got, n, c.want, c.n)
		}
	}
}

func sameJSON(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("%q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Removing characters must not hand back what redaction hid: a credential
// split by zero-width spaces, or a secret-looking key.
func TestStripInvisibleRedactsAgain(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	split := jwt[:10] + "\u200B" + jwt[10:]
	red := New()
	for _, v := range []any{
		map[string]any{"body": "my token " + split},
		map[string]any{"metadata": map[string]any{"pass\u200Bword": "hunter2-canary"}},
	} {
		clean, err := red.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out, n, err := StripInvisible(clean, red)
		if err != nil || n != 1 || strings.Contains(string(out), jwt) || strings.Contains(string(out), "hunter2-canary") ||
			!strings.Contains(string(out), Placeholder) {
			t.Fatalf("%s -> %s (%d, %v)", clean, out, n, err)
		}
	}
}

// A result with nothing to strip is the same slice, not a copy.
func TestStripInvisibleNothingAllocates(t *testing.T) {
	doc := []byte(`{"messages":[{"body":"Where is my order? “Soon” — thanks","role":"end_user","escaped":"\n\"\\"}]}`)
	red := New()
	allocs := testing.AllocsPerRun(100, func() {
		out, n, _ := StripInvisible(doc, red)
		if n != 0 || &out[0] != &doc[0] {
			t.Fatal("copied")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
}

func benchDoc(extra string) []byte {
	msgs := make([]map[string]string, 100)
	for i := range msgs {
		msgs[i] = map[string]string{"message_id": "01J8Z3K4M5N6P7Q8R9S0T1V2W3", "role": "end_user", "body": "Hello, I ordered the “blue” one — where is it? Order #12345, placed last week."}
	}
	msgs[50]["body"] += extra
	b, _ := json.Marshal(map[string]any{"messages": msgs})
	return b
}

func BenchmarkStripInvisible(b *testing.B) {
	red := New()
	for _, c := range []struct{ name, extra string }{{"none", ""}, {"in_a_value", "\u202E"}} {
		doc := benchDoc(c.extra)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				_, _, _ = StripInvisible(doc, red)
			}
		})
	}
}
