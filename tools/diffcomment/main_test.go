package main

import (
	"errors"
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
	pair := func(name string) config {
		return config{stack: "PipelineStack", out: out, commit: "abc", failOnWarning: true,
			deployed: filepath.Join("testdata", name, "deployed.json"),
			synth:    filepath.Join("testdata", name, "synthesized.json")}
	}
	if err := run(pair("added-resource")); err != nil {
		t.Fatalf("run: %v", err)
	}
	if md, _ := os.ReadFile(out); !strings.Contains(string(md), "**Summary:** 1 to add.") {
		t.Errorf("unexpected comment:\n%s", md)
	}
	if err := run(pair("repository-deletable")); !errors.Is(err, errWarnings) {
		t.Errorf("run with -fail-on-warning on a repository made deletable: got %v, want errWarnings", err)
	}
	if md, _ := os.ReadFile(out); !strings.Contains(string(md), "becomes **deletable**") {
		t.Errorf("the comment does not warn that the repository becomes deletable:\n%s", md)
	}
}

func TestRunFailure(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "synth.log")
	if err := os.WriteFile(log, []byte("appName \"My App\" is not valid\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "comment.md")
	if err := run(config{stack: "PipelineStack", out: out, failure: log}); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(out)
	for _, want := range []string{diffreport.Marker, "[!CAUTION]", `appName "My App" is not valid`} {
		if !strings.Contains(string(md), want) {
			t.Errorf("failure comment lacks %q:\n%s", want, md)
		}
	}
	if err := run(config{stack: "PipelineStack", out: out}); err == nil || !strings.Contains(err.Error(), "-synth") {
		t.Errorf("run without -synth: got %v, want an error naming -synth", err)
	}
}
