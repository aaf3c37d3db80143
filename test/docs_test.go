package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/internal/snippets"
)

// docs are the Markdown files whose Go blocks must be compiled code.
func docs(t *testing.T) []string {
	root := cdktest.ModuleRoot()
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(root, "README.md")}, files...)
}

// TestDocsSnippets fails when a Go block of the README or docs/ is not the
// code it names (an Example function's region or a whole file, which the
// suite compiles and runs), or names none: run `make docs`.
func TestDocsSnippets(t *testing.T) {
	root := cdktest.ModuleRoot()
	for _, path := range docs(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := snippets.Render(string(raw), root)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if want != string(raw) {
			t.Errorf("%s: Go snippets are stale: run `make docs`", path)
		}
	}
}

// TestDependOnCheckout follows the README's way of depending on shipline (a
// `replace` to a checkout) in a fresh module, and builds the reuse guide's
// app there. go.sum is seeded from the checkout so that the test needs no
// network; a user's `go mod tidy` fetches the same sums.
func TestDependOnCheckout(t *testing.T) {
	root := cdktest.ModuleRoot()
	dir := t.TempDir()
	main, err := os.ReadFile(filepath.Join(root, "examples", "reuse", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"main.go": main, "go.sum": sums} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off")
	for _, args := range [][]string{
		{"mod", "init", "example.com/consumer"},
		{"mod", "edit", "-require=github.com/shipline/shipline@v0.0.0-00010101000000-000000000000",
			"-replace=github.com/shipline/shipline=" + root},
		{"mod", "tidy"},
		{"build", "-o", os.DevNull, "."},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, doc := range []string{"README.md", filepath.Join("docs", "reuse.md")} {
		raw, _ := os.ReadFile(filepath.Join(root, doc))
		for _, step := range []string{"-require=github.com/shipline/shipline@v0.0.0-00010101000000-000000000000", "-replace=github.com/shipline/shipline=", "go mod tidy"} {
			if !strings.Contains(string(raw), step) {
				t.Errorf("%s does not show the step %q this test follows", doc, step)
			}
		}
	}
}

// TestReadmeListsEveryConstruct fails when a package under constructs/ is
// missing from the README's table of construct packages, or has no section
// that starts with a snippet of its Example.
func TestReadmeListsEveryConstruct(t *testing.T) {
	root := cdktest.ModuleRoot()
	raw, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir(filepath.Join(root, "constructs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		if !strings.Contains(string(raw), "| `constructs/"+d.Name()+"` |") {
			t.Errorf("README.md's table of construct packages lacks constructs/%s", d.Name())
		}
		if !strings.Contains(string(raw), "(`constructs/"+d.Name()+"`)\n\n<!-- snippet: constructs/"+d.Name()+"/") {
			t.Errorf("README.md has no section for constructs/%s headed by a snippet of its Example", d.Name())
		}
	}
}
