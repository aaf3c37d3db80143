package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/internal/mdblock"
)

// TestReadmeConfigReference fails when the README's config reference is not
// the settings table the app reads (run `make docs`).
func TestReadmeConfigReference(t *testing.T) {
	path := filepath.Join(cdktest.ModuleRoot(), "README.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := mdblock.ConfigReference.Replace(string(raw), config.Markdown())
	if err != nil {
		t.Fatal(err)
	}
	if want != string(raw) {
		t.Error("README.md's config reference is stale: run `make docs`")
	}
	// Every key of the default cdk.json is documented.
	for key := range cdktest.CDKJSONContext() {
		if strings.HasPrefix(key, "@") {
			continue
		}
		if !strings.Contains(string(raw), "| `"+key+"` |") {
			t.Errorf("cdk.json sets %q, which the README's config reference does not list", key)
		}
	}
}
