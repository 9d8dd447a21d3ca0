package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Planted secrets for the fuzz targets below. Neither shares a byte with
// Placeholder, so no replacement can assemble one; the second needs
// escaping in JSON, URLs and quoted log values, so it travels in forms
// that are not byte-identical to it.
var planted = []string{"zq7wK9", `Zq&<"/üw`}

func plantedRedactor() *Redactor { return New(WithSecrets(planted...)) }

// carrier hides the secrets around whatever the fuzzer gives: in text, in
// keys, in metadata, in a number's digits, in the document itself.
func carrier(doc []byte, pre, post, key string) map[string]any {
	var inner any = string(doc)
	if json.Valid(doc) {
		inner = decodeLoose(doc)
	}
	out := map[string]any{"doc": inner, "key": key}
	for i, s := range planted {
		n := strconv.Itoa(i)
		out["text"+n] = pre + s + post
		out[pre+s+post] = []any{pre + s, s + post, map[string]any{key: s}}
		out["metadata"+n] = map[string]any{key: pre + s + post, "plain": s}
		out["sensitive_metadata"] = map[string]any{key: s}
	}
	return out
}

func decodeLoose(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return string(b)
	}
	return v
}

// FuzzPlantedSecret checks JSON, Marshal and Bytes over documents carrying
// a planted secret anywhere: none may panic, the secret never survives in
// any key, string or number of the output (in any escaping), and
// redacting the output again changes nothing.
func FuzzPlantedSecret(f *testing.F) {
	f.Add([]byte(`{"a":"b"}`), "", "", "note")
	f.Add([]byte(`{"metadata":{"token":"zq7wK9"},"n":12345}`), "Bearer ", ".", "api_key")
	f.Add([]byte(`["zq\u0037wK9", "Zq\u0026\u003c\"/\u00fcw"]`), "x", "y", "")
	f.Add([]byte(`{"zq7wK9":1,"[REDACTED]":2}`), "4111 1111 ", " 1111", "zq7wK9")
	f.Add([]byte(`"\ud800"`), "\xff", "\x00", "sensitive_metadata")
	f.Add([]byte(`1e400`), "%", "%20", "Metadata")
	f.Fuzz(func(t *testing.T, doc []byte, pre, post, key string) {
		r := plantedRedactor()
		v := carrier(doc, pre, post, key)

		// Compared with itself only: keys that become the same key once
		// redacted ({"<secret>":1,"[REDACTED]":2}) keep whichever value
		// map order puts last, so two runs may differ.
		once := r.JSON(v)
		checkNoPlanted(t, "JSON", once)
		if again := r.JSON(once); !reflect.DeepEqual(again, once) {
			t.Fatalf("JSON not idempotent:\n%v\n%v", once, again)
		}
		out, err := r.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		checkNoPlantedBytes(t, "Marshal", out)

		b, _ := json.Marshal(v) // may fail only on a number too large for json.Number
		for _, in := range [][]byte{b, doc} {
			out, err := r.Bytes(in)
			if err != nil {
				continue // not JSON: nothing is returned, so nothing leaks
			}
			checkNoPlantedBytes(t, "Bytes", out)
			if again, err := r.Bytes(out); err != nil || !bytes.Equal(again, out) {
				t.Fatalf("Bytes not idempotent: %s -> %s -> %s (%v)", in, out, again, err)
			}
		}
	})
}

// checkNoPlantedBytes checks the raw output for each secret as written and
// as JSON would escape it, then the decoded value.
func checkNoPlantedBytes(t *testing.T, where string, out []byte) {
	t.Helper()
	for _, s := range planted {
		for _, form := range []string{s, jsonEscape(s, true), jsonEscape(s, false)} {
			if bytes.Contains(out, []byte(form)) {
				t.Fatalf("%s output carries %q: %s", where, form, out)
			}
		}
	}
	checkNoPlanted(t, where, decodeLoose(out))
}

// checkNoPlanted walks a decoded value: keys, strings and numbers' digits.
func checkNoPlanted(t *testing.T, where string, v any) {
	t.Helper()
	var text []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				text = append(text, k)
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			text = append(text, x)
		case json.Number:
			text = append(text, x.String())
		}
	}
	walk(v)
	for _, s := range text {
		for _, p := range planted {
			if strings.Contains(s, p) {
				t.Fatalf("%s output keeps the secret %q in %q", where, p, s)
			}
		}
	}
}

// FuzzPlantedSecretInLogs logs a planted secret through the redacting
// handler as message, key, value, group, error and structured value, in
// JSON and in text: it never reaches the output.
func FuzzPlantedSecretInLogs(f *testing.F) {
	f.Add("calling Ada", "status", "ok", int64(200))
	f.Add("", "", "", int64(0))
	f.Add("key=", "Authorization", "Bearer ", int64(-1))
	f.Add("\n", "a b", "\"", int64(4111111111111111))
	f.Fuzz(func(t *testing.T, msg, key, value string, n int64) {
		for i, sec := range planted {
			var jsonOut, textOut bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			for _, h := range []slog.Handler{slog.NewJSONHandler(&jsonOut, opts), slog.NewTextHandler(&textOut, opts)} {
				log := slog.New(NewHandler(h, plantedRedactor()))
				log.With(key+sec, value).WithGroup(key+sec).Info(msg+sec,
					key, value+sec+value,
					key+sec, n,
					slog.Group(sec+key, slog.String(key, sec)),
					"err", errors.New(value+sec),
					"any", map[string]any{key: value + sec, sec: n, "metadata": map[string]any{key: sec}},
					"number", json.Number(strconv.FormatInt(n, 10)+strconv.Itoa(i)),
				)
			}
			for _, line := range bytes.Split(bytes.TrimSpace(jsonOut.Bytes()), []byte("\n")) {
				checkNoPlantedBytes(t, "JSON log", line)
			}
			quoted := strconv.Quote(sec)
			for _, form := range []string{sec, quoted[1 : len(quoted)-1]} {
				if strings.Contains(textOut.String(), form) {
					t.Fatalf("text log carries %q: %s", form, textOut.String())
				}
			}
		}
	})
}
