package jsondec

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// nullable stands for adaclient's Nullable: a type with its own
// UnmarshalJSON, which v1 semantics call.
type nullable struct {
	set, null bool
	v         string
}

func (n *nullable) UnmarshalJSON(b []byte) error {
	n.set = true
	if string(b) == "null" {
		n.null = true
		return nil
	}
	return json.Unmarshal(b, &n.v)
}

// shape has the kinds of fields Ada's answers and tool arguments decode
// into.
type shape struct {
	ID       string         `json:"id"`
	Name     *string        `json:"name"`
	Count    int            `json:"count,omitempty"`
	Ratio    float64        `json:"ratio"`
	OK       bool           `json:"ok"`
	Tags     []string       `json:"tags"`
	Metadata map[string]any `json:"metadata"`
	Any      any            `json:"any"`
	Raw      json.RawMessage
	Nested   *struct {
		Number json.Number `json:"number"`
	} `json:"nested"`
	Clear nullable `json:"clear"`
}

// reference is what the package replaces: encoding/json with UseNumber.
func reference(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() || dec.InputOffset() != int64(len(bytes.TrimRight(data, " \t\r\n"))) {
		return &json.SyntaxError{}
	}
	return nil
}

var seeds = []string{
	`{"id":"a","name":"Grace","count":3,"ratio":0.5,"ok":true,"tags":["x","y"],"metadata":{"plan":"pro","orders":3,"big":12345678901234567890,"f":1.5e300,"nested":{"n":[1,2.0,-0]}},"any":[1,"s",null,true,{}],"Raw":{"k":[1]},"nested":{"number":42},"clear":null}`,
	`{"ID":"case-insensitive","NAME":"n","Metadata":{"A":1}}`,
	`{"id":"dup","id":"last wins"}`,
	`{"metadata":{"k":1,"k":2}}`,
	`{"id":"bad utf8 \xff"}`,
	`{"id":"escapes \u00e9 \ud83d\ude00 \n"}`,
	`{"clear":"set"}`,
	`{"unknown":{"deep":[1,2,3]},"id":"x"}`,
	`{"count":"3"}`,
	`{"count":1.5}`,
	`{"count":99999999999999999999}`,
	`{"tags":"not a list"}`,
	`{"id":"a"} trailing`,
	`{"id":"a"}{"id":"b"}`,
	`{"id":`,
	`[1,2]`,
	`null`,
	`  {"any": -1.25e-7 }  `,
	`{"any":{"n":12345678901234567890123}}`,
	`{"name":null,"metadata":null,"tags":null,"nested":null}`,
}

// TestAgreesWithEncodingJSON holds Unmarshal to encoding/json's results
// with UseNumber: the same value, and an error exactly when it errs.
func TestAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range seeds {
		agree(t, []byte(s))
	}
}

func FuzzAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { agree(t, data) })
}

func agree(t *testing.T, data []byte) {
	t.Helper()
	for _, newV := range []func() any{
		func() any { return new(shape) },
		func() any { return new(any) },
		func() any { return new(map[string]any) },
	} {
		got, want := newV(), newV()
		gotErr, wantErr := Unmarshal(data, got), reference(data, want)
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("%q into %T: error %v, encoding/json's %v", data, got, gotErr, wantErr)
		}
		// Where both refuse, a partial value may differ: neither is used.
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q into %T:\n got %#v\nwant %#v", data, got, got, want)
		}
	}
}

// TestNumbersKeepTheirDigits is why UseNumber: metadata integers past 2^53
// come back exact.
func TestNumbersKeepTheirDigits(t *testing.T) {
	var v map[string]any
	if err := Unmarshal([]byte(`{"n":12345678901234567890,"f":0.1}`), &v); err != nil {
		t.Fatal(err)
	}
	if v["n"] != json.Number("12345678901234567890") || v["f"] != json.Number("0.1") {
		t.Fatalf("got %#v", v)
	}
}
