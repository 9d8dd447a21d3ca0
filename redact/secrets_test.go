package redact

import (
	"sort"
	"strings"
	"testing"
)

func TestSecretsCollectsWhatKeyRulesHide(t *testing.T) {
	args := map[string]any{
		"external_id": "crm-1",
		"author":      "not secret",
		"profile": map[string]any{
			"first_name": "Ana",
			"metadata":   map[string]any{"api_token": "tok-123456", "plan": "gold", "session_id": float64(987654321), "nested": map[string]any{"password": "pw-abcdef"}},
		},
		"sensitive_metadata": map[string]any{"auth": "s3cr3t-value", "n": float64(424242), "flag": true, "gone": nil},
		"metadata":           map[string]any{"list": []any{"x"}, "card_number": "4111111111111111"},
	}
	got := New().Secrets(args)
	sort.Strings(got)
	want := []string{"4111111111111111", "424242", "987654321", "pw-abcdef", "s3cr3t-value", "tok-123456"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Secrets = %v, want %v", got, want)
	}
	// Once added, they are hidden in prose that lost their keys.
	r := New().With(got...)
	msg := r.String(`Ada said: bad value "tok-123456" and pw-abcdef`)
	if strings.Contains(msg, "tok-123456") || strings.Contains(msg, "pw-abcdef") {
		t.Fatalf("String = %q", msg)
	}
}
