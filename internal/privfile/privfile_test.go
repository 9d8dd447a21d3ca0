package privfile

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A file that existed with a mode others could read ends up 0600 with the
// new content only; a new file is 0600 too.
func TestWriteSetsTheModeOfAnExistingFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := t.TempDir()
	old := filepath.Join(dir, "old")
	if err := os.WriteFile(old, []byte("an old and longer content"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(old, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	for _, path := range []string{old, filepath.Join(dir, "new")} {
		if err := Write(path, []byte("secret\n")); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != Mode {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), fi.Mode().Perm(), os.FileMode(Mode))
		}
		if b, _ := os.ReadFile(path); string(b) != "secret\n" {
			t.Errorf("%s: content %q", filepath.Base(path), b)
		}
	}
	if _, err := Create(filepath.Join(dir, "missing", "f")); err == nil {
		t.Error("Create in a missing directory succeeded")
	}
}

// A device keeps its mode: writing to /dev/null changes nothing for
// anyone else.
func TestDevicesKeepTheirMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/null")
	}
	before, err := os.Stat(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	if err := Write(os.DevNull, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(os.DevNull); after.Mode() != before.Mode() {
		t.Fatalf("%s: mode %v, was %v", os.DevNull, after.Mode(), before.Mode())
	}
}
