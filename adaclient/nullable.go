package adaclient

import (
	"bytes"
	"encoding/json"
)

// Nullable is a request field with three states, because Ada gives JSON null a
// meaning of its own ("clear this value"): absent (the zero value, left out
// of the request with `omitzero`), null, or a value.
type Nullable[T any] struct {
	value T
	state nullableState
}

type nullableState uint8

const (
	absent nullableState = iota
	null
	present
)

// Value returns a Nullable holding v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{value: v, state: present} }

// Null returns a Nullable that encodes as JSON null.
func Null[T any]() Nullable[T] { return Nullable[T]{state: null} }

// IsZero reports whether the field is absent; it makes `omitzero` drop it.
func (n Nullable[T]) IsZero() bool { return n.state == absent }

// IsNull reports whether the field is an explicit null.
func (n Nullable[T]) IsNull() bool { return n.state == null }

// Get returns the value and whether one is present.
func (n Nullable[T]) Get() (T, bool) { return n.value, n.state == present }

// MapNullable converts n's value with f, keeping it absent or null.
func MapNullable[T, U any](n Nullable[T], f func(T) U) Nullable[U] {
	if v, ok := n.Get(); ok {
		return Value(f(v))
	}
	return Nullable[U]{state: n.state}
}

// MarshalJSON encodes null or the value. (An absent field must be dropped
// with `omitzero`; on its own it also encodes as null.)
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if n.state != present {
		return []byte("null"), nil
	}
	return marshal(n.value)
}

// UnmarshalJSON decodes null as Null and anything else as a value. A field
// missing from the document is never passed here, so it stays absent.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*n = Null[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Value(v)
	return nil
}
