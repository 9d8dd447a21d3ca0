package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCutBetweenWords(t *testing.T) {
	key := "ada_live_sk_7f3a9c2e4b1d8f6a0c5e"
	cases := []struct {
		in   string
		n    int
		want string
		cut  bool
	}{
		{"short", 10, "short", false},
		{"exactly ten", 11, "exactly ten", false},
		{"hello world again", 11, "hello world…", true}, // the limit falls between words
		{"hello world again", 13, "hello world…", true},
		{"my key is " + key + " ok", 20, "my key is…", true}, // never half the key
		{"see:" + key, 10, "see:…", true},
		{strings.Repeat("x", 300), 10, strings.Repeat("x", 10) + "…", true}, // a blob: cut at the limit
		{"héllo wörld ümlaut", 14, "héllo wörld…", true},
		{"a  b", 2, "a…", true},
	}
	for _, c := range cases {
		got, cut := Cut(c.in, c.n)
		if got != c.want || cut != c.cut {
			t.Errorf("Cut(%q, %d) = %q, %v; want %q, %v", c.in, c.n, got, cut, c.want, c.cut)
		}
	}
}

func FuzzCut(f *testing.F) {
	f.Add("my key is ada_live_sk_7f3a9c2e4b1d8f6a0c5e ok", 20)
	f.Add("héllo wörld", 3)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 1<<16 || !utf8.ValidString(s) {
			return
		}
		got, cut := Cut(s, n)
		if !cut {
			if got != s || utf8.RuneCountInString(s) > n {
				t.Fatalf("uncut %q", got)
			}
			return
		}
		body := strings.TrimSuffix(got, "…")
		if utf8.RuneCountInString(body) > n || !strings.HasPrefix(s, body) {
			t.Fatalf("Cut(%q, %d) = %q", s, n, got)
		}
		// The cut is at a word's edge, unless the word is a blob longer than the backoff.
		rest := s[len(body):]
		if body != "" && rest != "" {
			last, _ := utf8.DecodeLastRuneInString(body)
			next, _ := utf8.DecodeRuneInString(rest)
			if inWord(last) && inWord(next) && !blob(s, len(body)) {
				t.Fatalf("Cut(%q, %d) = %q cuts inside a word", s, n, got)
			}
		}
	})
}

// blob reports whether the word around byte i of s runs to maxWordBackoff
// runes or more.
func blob(s string, i int) bool {
	n := 0
	for _, r := range s[i:] {
		if !inWord(r) {
			break
		}
		n++
	}
	for j := i; j > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		if !inWord(r) {
			break
		}
		n++
		j -= size
	}
	return n >= maxWordBackoff
}
