package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipline/shipline/internal/mdblock"
	"github.com/shipline/shipline/tools/diagram/flowchart"
)

// TestReadmeDiagramCurrent fails when the README's diagram is not the one the
// stack snapshot draws: run `make diagram` after changing the pipeline.
func TestReadmeDiagramCurrent(t *testing.T) {
	const golden = "../../test/testdata/PipelineStack.golden.json"
	const readme = "../../README.md"
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Skipf("no stack snapshot yet (%v): nothing to compare the README with", err)
	}
	text, err := os.ReadFile(readme)
	if err != nil {
		t.Skipf("no README yet (%v)", err)
	}
	if !strings.Contains(string(text), mdblock.Diagram.Start) {
		t.Skipf("README.md has no %s block yet", mdblock.Diagram.Start)
	}
	tpl, err := flowchart.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := flowchart.Block(tpl)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mdblock.Diagram.Content(string(text))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("README.md's pipeline diagram is stale: run `make diagram`.\nwant:\n%s\ngot:\n%s", want, got)
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(readme, []byte("# r\n"+mdblock.Diagram.Start+"\n"+mdblock.Diagram.End+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const tpl = "testdata/pipeline.template.json"
	if err := run(tpl, nil, readme, true); err == nil || !strings.Contains(err.Error(), "stale") {
		t.Errorf("-check on a stale README: %v", err)
	}
	if err := run(tpl, nil, readme, false); err != nil {
		t.Fatal(err)
	}
	if err := run(tpl, nil, readme, true); err != nil {
		t.Errorf("-check right after rewriting: %v", err)
	}
	out, _ := os.ReadFile(readme)
	if !strings.Contains(string(out), "```mermaid\nflowchart LR\n") {
		t.Errorf("README not rewritten:\n%s", out)
	}
}
