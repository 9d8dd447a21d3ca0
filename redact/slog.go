package redact

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
)

// NewHandler wraps next so that nothing it writes carries a secret. The
// record message and every attribute, including attributes and groups
// added through WithAttrs/WithGroup and attributes nested in groups, are
// redacted before next sees them:
//
//   - LogValuer values are resolved first, so what they expand to is
//     redacted too.
//   - An attribute whose key looks secret (IsSecretKey, which applies to
//     every log key, not only metadata) or equals "authorization" or
//     "api_key" (any case, even with custom key patterns) has its value
//     replaced by Placeholder, whatever its kind.
//   - String values go through [Redactor.String].
//   - error and fmt.Stringer values are converted to their string form and
//     redacted; other Any values (maps, slices, structs) go through
//     [Redactor.JSON], so the metadata rules apply inside them.
//   - Numeric values that contain an exact secret become Placeholder.
//   - Attribute keys and group names lose exact secrets, as JSON keys do.
//   - Group names (slog.Group, WithGroup) and attribute keys scope values
//     like JSON object keys: under "metadata"-like keys integers are
//     checked for card numbers, and under "sensitive_metadata" every
//     non-null value becomes Placeholder.
//
// If r is nil, New() is used.
func NewHandler(next slog.Handler, r *Redactor) slog.Handler {
	return &handler{next: next, r: r.orDefault()}
}

type handler struct {
	next slog.Handler
	r    *Redactor
	// sc is the scope opened by WithGroup, so that
	// logger.WithGroup("metadata") gets the metadata rules.
	sc scope
}

func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.r.attr(a, h.sc))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.r.attr(a, h.sc)
	}
	return &handler{next: h.next.WithAttrs(red), r: h.r, sc: h.sc}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(h.r.replaceSecrets(name)), r: h.r, sc: childScope(name, h.sc)}
}

// isSecretLogKey extends IsSecretKey with the two keys that must be hidden
// in logs whatever the configured patterns are.
func (r *Redactor) isSecretLogKey(k string) bool {
	return r.IsSecretKey(k) || strings.EqualFold(k, "authorization") || strings.EqualFold(k, "api_key")
}

// attr redacts one attribute whose enclosing group has scope sc. Keys of
// log groups follow the same metadata/sensitive_metadata scoping as JSON
// objects, so slog.Any("metadata", m) and slog.Group("sensitive_metadata",
// ...) get the structural rules too.
func (r *Redactor) attr(a slog.Attr, sc scope) slog.Attr {
	// Keys are written too: exact secrets go from them as from JSON keys.
	key := r.replaceSecrets(a.Key)
	if r.isSecretLogKey(a.Key) {
		return slog.String(key, Placeholder)
	}
	sc = childScope(a.Key, sc)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		in := v.Group()
		out := make([]slog.Attr, len(in))
		for i, g := range in {
			out[i] = r.attr(g, sc)
		}
		return slog.Attr{Key: key, Value: slog.GroupValue(out...)}
	case slog.KindAny:
		return slog.Attr{Key: key, Value: r.anyValue(v.Any(), sc)}
	}
	if sc == scopeSensitive {
		return slog.String(key, Placeholder)
	}
	switch v.Kind() {
	case slog.KindString:
		v = slog.StringValue(r.String(v.String()))
	case slog.KindInt64, slog.KindUint64, slog.KindFloat64:
		if len(r.secrets) > 0 || sc == scopeMetadata {
			// Value.String formats floats with %g ("2.0240115e+07");
			// match on the plain decimal form, as JSON numbers do.
			var s string
			if v.Kind() == slog.KindFloat64 {
				s = strconv.FormatFloat(v.Float64(), 'f', -1, 64)
			} else {
				s = v.String()
			}
			if r.secretNumber(s, sc, allRules) {
				v = slog.StringValue(Placeholder)
			}
		}
	}
	return slog.Attr{Key: key, Value: v}
}

func (r *Redactor) anyValue(x any, sc scope) slog.Value {
	switch t := x.(type) {
	case nil:
		return slog.AnyValue(nil)
	case error:
		return slog.StringValue(r.value(safeString(t, t.Error), sc).(string))
	case fmt.Stringer:
		return slog.StringValue(r.value(safeString(t, t.String), sc).(string))
	}
	return slog.AnyValue(r.value(x, sc))
}

// safeString calls f unless x is a nil pointer, whose method would most
// likely panic inside the logging path (slog itself prints "<nil>").
func safeString(x any, f func() string) (s string) {
	if v := reflect.ValueOf(x); v.Kind() == reflect.Pointer && v.IsNil() {
		return "<nil>"
	}
	defer func() {
		if recover() != nil {
			s = "!PANIC in String/Error method"
		}
	}()
	return f()
}
