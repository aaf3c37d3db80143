package snippets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	root := t.TempDir()
	src := "package x\n\nfunc Example() {\n\tsetup()\n\t// snippet:readme\n\ta := 1\n\tif a > 0 {\n\t\tuse(a)\n\t}\n\t// snippet:end\n}\n"
	if err := os.WriteFile(filepath.Join(root, "x_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := "Intro\n<!-- snippet: x_test.go#readme -->\n```go\nstale()\n```\nMore\n<!-- snippet: x_test.go -->\n```go\n```\n"
	got, err := Render(doc, root)
	if err != nil {
		t.Fatal(err)
	}
	want := "Intro\n<!-- snippet: x_test.go#readme -->\n```go\na := 1\nif a > 0 {\n\tuse(a)\n}\n```\nMore\n<!-- snippet: x_test.go -->\n```go\n" + strings.TrimRight(src, "\n") + "\n```\n"
	if got != want {
		t.Errorf("Render:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderRejects(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "x.go"), []byte("package x\n"), 0o644)
	for name, doc := range map[string]string{
		"unmarked block":  "```go\nx()\n```\n",
		"missing region":  "<!-- snippet: x.go#nope -->\n```go\n```\n",
		"missing file":    "<!-- snippet: y.go -->\n```go\n```\n",
		"marker no block": "<!-- snippet: x.go -->\ntext\n",
	} {
		if _, err := Render(doc, root); err == nil {
			t.Errorf("%s: Render accepted %q", name, doc)
		}
	}
}
