package bundle_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestHelloExample vets and tests examples/hello, a module of its own that
// `go test ./...` at the repository root does not enter.
func TestHelloExample(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: skipping the examples/hello module")
	}
	dir, err := filepath.Abs(filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("examples/hello has no go.mod: %v", err)
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command(gobin, append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("go %s in examples/hello: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	dockerfile, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(dockerfile)
	for _, want := range []string{"AS build", "USER nonroot", "HEALTHCHECK", "RUN --mount=type=secret"} {
		if !strings.Contains(df, want) {
			t.Errorf("examples/hello/Dockerfile lacks %q", want)
		}
	}
	for _, line := range strings.Split(df, "\n") {
		l := strings.ToUpper(strings.TrimSpace(line))
		if (strings.HasPrefix(l, "ARG ") || strings.HasPrefix(l, "ENV ")) &&
			(strings.Contains(l, "SECRET") || strings.Contains(l, "TOKEN") || strings.Contains(l, "PASSWORD")) {
			t.Errorf("examples/hello/Dockerfile puts a secret in ARG/ENV: %s", line)
		}
	}
}
