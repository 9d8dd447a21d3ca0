package adasim

import "testing"

// Svix's published example: the simulator signs as Svix does.
func TestSignSvixExample(t *testing.T) {
	key, err := decodeSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	const want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	if got := sign("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", []byte(`{"test": 2432232314}`), [][]byte{key}); got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
	// During a rotation: one signature per key, space-separated, in the order given.
	other := make([]byte, 24)
	got := sign("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", []byte(`{"test": 2432232314}`), [][]byte{other, key})
	if len(got) != 2*len(want)+1 || got[len(want)] != ' ' || got[len(want)+1:] != want || got[:3] != "v1," {
		t.Fatalf("two keys: %q", got)
	}
}
