package e2e

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// No Docker engine runs in CI, so the Dockerfile is checked by parts: its
// build stage's go build runs for real, and the final stage must run the
// binary it copies, as a non-root user, with the documented defaults.

type instruction struct{ cmd, args string }

type stage struct {
	from, name string
	steps      []instruction
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.steps {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// parseDockerfile reads instructions, joining continued lines and dropping
// comments, and groups them by stage.
func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stages []stage
	var line string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(text, "#") || (text == "" && line == "") {
			continue
		}
		if cont, ok := strings.CutSuffix(text, `\`); ok {
			line += cont + " "
			continue
		}
		line += text
		cmd, args, _ := strings.Cut(strings.TrimSpace(line), " ")
		line = ""
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			fields := strings.Fields(in.args)
			st := stage{from: fields[0]}
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				st.name = fields[2]
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("%s before the first FROM", in.cmd)
		}
		stages[len(stages)-1].steps = append(stages[len(stages)-1].steps, in)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return stages
}

func jsonArray(t *testing.T, what, s string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s %s is not the exec (JSON array) form: %v", what, s, err)
	}
	return v
}

func TestDockerfile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("runs the build stage's shell command")
	}
	stages := parseDockerfile(t, filepath.Join("..", "Dockerfile"))
	if len(stages) != 2 {
		t.Fatalf("want a build stage and a final stage, got %d stages", len(stages))
	}
	build, final := stages[0], stages[1]

	// The build stage uses the Go version go.mod asks for.
	gomod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	if goVersion == nil || build.from != "golang:"+string(goVersion[1]) {
		t.Fatalf("build stage FROM %s, want golang:%s (go.mod)", build.from, goVersion[1])
	}

	// Its go build command, run for real into a temporary directory.
	var buildCmd string
	for _, run := range build.all("RUN") {
		if strings.Contains(run, "go build") {
			buildCmd = run
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w`} {
		if !strings.Contains(buildCmd, want) {
			t.Fatalf("build command %q lacks %s", buildCmd, want)
		}
	}
	out := regexp.MustCompile(`-o (\S+)`).FindStringSubmatch(buildCmd)
	if out == nil {
		t.Fatalf("build command %q names no output", buildCmd)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ada-mcp")
	cmdLine := strings.Replace(buildCmd, out[0], "-o "+bin, 1)
	for _, arg := range build.all("ARG") {
		if name, def, ok := strings.Cut(arg, "="); ok {
			cmdLine = strings.ReplaceAll(cmdLine, "${"+name+"}", def)
		}
	}
	sh := exec.Command("sh", "-c", cmdLine)
	sh.Dir = ".." // WORKDIR /src holds COPY . .
	if b, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmdLine, err, b)
	}
	if runtime.GOOS == "linux" {
		ef, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ef.Progs {
			if p.Type == elf.PT_INTERP {
				t.Fatal("the binary is dynamically linked: it would not start on distroless/static")
			}
		}
		ef.Close()
	}
	if v, err := exec.Command(bin, "--version").Output(); err != nil || !strings.HasPrefix(string(v), "ada-mcp dev") {
		t.Fatalf("--version: %q %v", v, err)
	}

	// The final stage runs that binary as a non-root user.
	if final.from != "gcr.io/distroless/static-debian12:nonroot" && final.from != "scratch" {
		t.Fatalf("final stage FROM %s", final.from)
	}
	users := final.all("USER")
	if len(users) == 0 {
		t.Fatal("the final stage sets no USER")
	}
	if u, _, _ := strings.Cut(users[len(users)-1], ":"); u == "root" || u == "0" {
		t.Fatalf("the final stage runs as %s", u)
	}
	copied := ""
	for _, c := range final.all("COPY") {
		f := strings.Fields(c)
		if slices.Contains(f, "--from="+build.name) && f[len(f)-2] == out[1] {
			copied = f[len(f)-1]
		}
	}
	entry := jsonArray(t, "ENTRYPOINT", strings.Join(final.all("ENTRYPOINT"), ""))
	if copied == "" || len(entry) != 1 || entry[0] != copied {
		t.Fatalf("ENTRYPOINT %v does not run the copied binary %q", entry, copied)
	}
	if cmd := jsonArray(t, "CMD", strings.Join(final.all("CMD"), "")); strings.Join(cmd, " ") != "--transport http --addr 0.0.0.0:8080" {
		t.Fatalf("CMD = %v", cmd)
	}
	if !slices.Contains(final.all("EXPOSE"), "8080") {
		t.Fatal("EXPOSE 8080 missing")
	}

	ignore, err := os.ReadFile(filepath.Join("..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".git", "**/node_modules"} {
		if !slices.Contains(strings.Fields(string(ignore)), p) {
			t.Errorf(".dockerignore must keep %s out of the build context", p)
		}
	}
}
