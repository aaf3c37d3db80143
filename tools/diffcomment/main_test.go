package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipline/shipline/tools/diffcomment/diffreport"
)

// The workflow finds its previous comment by the marker the renderer writes.
func TestWorkflowUsesMarker(t *testing.T) {
	wf, err := os.ReadFile("../../.github/workflows/cdk-diff.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(wf), `MARKER: "`+diffreport.Marker+`"`) {
		t.Errorf("cdk-diff.yml does not look for the marker %s", diffreport.Marker)
	}
}

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "comment.md")
	if err := run("testdata/added-resource.txt", out, "template", "abc", false, true); err != nil {
		t.Fatalf("run: %v", err)
	}
	md, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "**Summary:** 1 to add.") {
		t.Errorf("unexpected comment:\n%s", md)
	}
	if err := run("testdata/deleted-bucket.txt", out, "", "", false, true); err != errWarnings {
		t.Errorf("run with -fail-on-warning on a deleted bucket: got %v, want errWarnings", err)
	}
}
