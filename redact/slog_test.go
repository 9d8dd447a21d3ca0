package redact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

type stringer string

func (s stringer) String() string { return "stringer:" + string(s) }

type valuer struct{ secret string }

func (v valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("inner", v.secret), slog.String("password", "plain"))
}

type nilErr struct{ msg string }

func (e *nilErr) Error() string { return e.msg }

func newTestLogger(r *Redactor) (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	// No time: its digits could hold a value a test says must not leak
	// ("1234" in .506123445Z).
	noTime := func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.Attr{}
		}
		return a
	}
	h := slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: noTime})
	return slog.New(NewHandler(h, r)), &buf
}

func TestHandlerRedactsSecrets(t *testing.T) {
	for _, tc := range secretCases {
		t.Run(tc.name, func(t *testing.T) {
			log, buf := newTestLogger(newTestRedactor())
			s := tc.in
			log.With("with_attr", s).WithGroup("call").With("grouped", s).Info("msg "+s,
				"plain", s,
				slog.Group("g", slog.String("inner", s), slog.Group("deeper", "x", s)),
				"err", fmt.Errorf("calling Ada: %s", s),
				"stringer", stringer(s),
				"valuer", valuer{s},
				"any", map[string]any{"text": s, "metadata": map[string]any{"note": s}},
				"list", []string{s},
			)
			if strings.Contains(buf.String(), tc.leak) {
				t.Errorf("log output contains %q:\n%s", tc.leak, buf)
			}
			if !strings.Contains(buf.String(), Placeholder) {
				t.Errorf("log output has no placeholder:\n%s", buf)
			}
		})
	}
}

func TestHandlerStructure(t *testing.T) {
	log, buf := newTestLogger(New(WithSecrets(testAPIKey), WithSecretKeyPatterns("token")))
	log.With("Authorization", "Basic dXNlcjpwYXNz").WithGroup("req").Info("calling Ada",
		"api_key", testAPIKey[:10], // not the exact key, hidden by key name
		"X-Auth-Token", 12345,
		"author", "Ann", // custom patterns: "auth" is not one of them here
		"path", "/v2/end-users/65a1f0c2b3d4e5f60718293a",
		"count", 3,
		"ok", true,
		"nil_err", (*nilErr)(nil),
		"nothing", nil,
		slog.Group("token", "a", 1),
	)
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, buf)
	}
	if got["Authorization"] != Placeholder || got["msg"] != "calling Ada" {
		t.Errorf("top level = %v", got)
	}
	req, _ := got["req"].(map[string]any)
	want := map[string]any{
		"api_key": Placeholder, "X-Auth-Token": Placeholder, "author": "Ann",
		"path": "/v2/end-users/65a1f0c2b3d4e5f60718293a", "count": 3.0, "ok": true,
		"nil_err": "<nil>", "nothing": nil, "token": Placeholder,
	}
	for k, w := range want {
		if req[k] != w {
			t.Errorf("req.%s = %#v, want %#v", k, req[k], w)
		}
	}
}

func TestHandlerDefaultKeysAndNumbers(t *testing.T) {
	log, buf := newTestLogger(New().WithValues(20240115))
	log.Info("m", "Password", "hunter22", "session", "abc", "n", 20240115, "big", uint64(120240115), "f", 20240115.0, "other", 7)
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Password", "session", "n", "big", "f"} {
		if got[k] != Placeholder {
			t.Errorf("%s = %#v, want placeholder", k, got[k])
		}
	}
	if got["other"] != 7.0 {
		t.Errorf("other = %#v", got["other"])
	}
}

func TestHandlerKeepsLevelAndEnabled(t *testing.T) {
	var buf bytes.Buffer
	h := NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}), nil)
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelError) {
		t.Error("Enabled not delegated")
	}
	slog.New(h).Error("boom", "err", errors.New("Bearer abc.def"))
	if !strings.Contains(buf.String(), `"level":"ERROR"`) || strings.Contains(buf.String(), "abc.def") {
		t.Errorf("output: %s", buf.String())
	}
}

func TestHandlerMetadataScopes(t *testing.T) {
	log, buf := newTestLogger(New())
	log.Info("m",
		"metadata", map[string]any{"plan_type": "pro", "loyalty": 4111111111111111, "author": "x"},
		slog.Group("sensitive_metadata", "dob", "1990-01-01", "pin", 1234, "vip", true),
		"result", map[string]any{"author": map[string]any{"name": "Ann"}},
	)
	log.WithGroup("end_user").WithGroup("sensitive_metadata").Info("m", "dob", "1990-01-01")
	log.WithGroup("metadata").Info("m", "n", 4111111111111111)
	out := buf.String()
	for _, leak := range []string{"1990-01-01", "1234", "true", "4111111111111111"} {
		if strings.Contains(out, leak) {
			t.Errorf("log output contains %q:\n%s", leak, out)
		}
	}
	for _, keep := range []string{`"plan_type":"pro"`, `"author":{"name":"Ann"}`, `"author":"[REDACTED]"`} {
		if !strings.Contains(out, keep) {
			t.Errorf("log output lacks %s:\n%s", keep, out)
		}
	}
}
