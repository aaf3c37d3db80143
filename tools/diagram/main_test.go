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

// TestWith: another stack's template is named after its file, and the
// pipeline's deploy reaches that stack's deployment group through it.
func TestWith(t *testing.T) {
	other, err := flowchart.Load("testdata/environments-target.template.json")
	if err != nil {
		t.Fatal(err)
	}
	if other.Name != "environments-target" {
		t.Errorf("Name = %q, want the file's name without .template.json", other.Name)
	}
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(readme, []byte(mdblock.Diagram.Start+"\n"+mdblock.Diagram.End+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run("testdata/environments.template.json", []string{"testdata/environments-target.template.json"}, readme, false); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(readme)
	if !strings.Contains(string(out), "r_environments_target_Group") {
		t.Errorf("the deploy does not reach the other stack's group:\n%s", out)
	}
	if err := run("testdata/environments.template.json", []string{"testdata/missing.template.json"}, readme, false); err == nil {
		t.Error("a missing -with template: no error")
	}
}
