package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const modulePath = "github.com/ada-mcp/ada-mcp"

// The simulator and the Ada client are each checked against Ada's documents
// and against the other, so they share no code: one misreading cannot hide
// in both. The simulator uses the standard library alone, and only the
// program (for --sandbox and `ada-mcp sandbox`) and the evaluation runner
// build on it; tools, the client and the transports never do.
func TestPackageLayering(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command to list the packages' dependencies")
	}
	list := func(args ...string) []string {
		t.Helper()
		out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}

	// adasim's dependencies, each "path standard".
	deps := list("-deps", "-f", "{{.ImportPath}}:{{.Standard}}", "./adasim")
	for _, d := range deps {
		path, standard, _ := strings.Cut(d, ":")
		if standard != "true" && path != modulePath+"/adasim" {
			t.Errorf("adasim depends on %s: the simulator uses the standard library alone", path)
		}
	}

	allowed := []string{modulePath, modulePath + "/eval"}
	for _, line := range list("-f", "{{.ImportPath}}:{{join .Deps \",\"}}", "./...") {
		pkg, deps, _ := strings.Cut(line, ":")
		if slices.Contains(strings.Split(deps, ","), modulePath+"/adasim") && !slices.Contains(allowed, pkg) {
			t.Errorf("%s depends on adasim: only the program and the evaluation runner may", pkg)
		}
	}
}
