package suggest

import "testing"

func TestNearest(t *testing.T) {
	names := []string{"sandbox", "sandbox-seed", "transport"}
	for _, c := range []struct {
		name   string
		within int
		want   string
	}{
		{"sandbx", 3, "sandbox"},
		{"sanbox-seed", 3, "sandbox-seed"},
		{"trnsprt", 3, "transport"},
		{"zzz", 3, ""},
		{"trnsprt", 2, ""}, // two edits away: not within 2
	} {
		if got := Nearest(c.name, names, c.within); got != c.want {
			t.Errorf("Nearest(%q, within %d) = %q, want %q", c.name, c.within, got, c.want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance = %d, want 3", d)
	}
}
