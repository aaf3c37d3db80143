package modroot_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/shipline/shipline/internal/modroot"
)

func TestFindFromNestedFolder(t *testing.T) {
	root := t.TempDir()
	nested := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(nested)
	got, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.EvalSymlinks(root); got != root && got != want {
		t.Errorf("Find() = %s, want %s", got, root)
	}
}

func TestFindOutsideAModule(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := modroot.Find(); err == nil {
		t.Error("Find() outside a module: want an error, got none")
	}
}
