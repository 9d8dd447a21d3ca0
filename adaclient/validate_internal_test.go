package adaclient

import (
	"encoding/json"
	"fmt"
	"testing"
)

// Whole numbers are written as integers exactly, however large; decimals,
// and floats past 2^53 (not exact), are left as they are.
func TestWholeNumbersAsIntegers(t *testing.T) {
	in := map[string]any{
		"a": json.Number("1.0"), "b": json.Number("1e3"), "c": json.Number("9007199254740993.0"), "d": json.Number("12"),
		"e": json.Number("1.5"), "f": 2.0, "g": float64(1 << 60), "h": "1.0",
	}
	out := wholeNumbersAsIntegers(in)
	want := map[string]string{"a": "1", "b": "1000", "c": "9007199254740993", "d": "12", "e": "1.5", "f": "2", "g": fmt.Sprint(float64(1 << 60)), "h": "1.0"}
	for k, w := range want {
		if got := fmt.Sprint(out[k]); got != w {
			t.Errorf("%s: %s, want %s", k, got, w)
		}
	}
	if fmt.Sprint(in["a"]) != "1.0" {
		t.Error("the input was changed")
	}
}
