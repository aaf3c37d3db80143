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

// TestRunAssembly: -list prints the stacks in pipeline order for the
// workflow; the comment covers them all, a stack whose template could not be
// read (its .error file) included, in its place.
func TestRunAssembly(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	assembly := filepath.Join("testdata", "environments", "synthesized")
	if err := run(config{assembly: assembly, list: true, out: out}); err != nil {
		t.Fatal(err)
	}
	list, _ := os.ReadFile(out)
	want := "PipelineStack 111111111111 eu-west-1\nPipelineStack-production 222222222222 eu-west-1\nPipelineStack-dr 333333333333 eu-west-1\n"
	if string(list) != want {
		t.Errorf("-list: got\n%s\nwant\n%s", list, want)
	}

	deployed := filepath.Join(dir, "deployed")
	if err := os.MkdirAll(deployed, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"PipelineStack", "PipelineStack-production"} {
		data, err := os.ReadFile(filepath.Join("testdata", "environments", "deployed", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(deployed, name+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(deployed, "PipelineStack-dr.error"), []byte("An error occurred (AccessDenied) when calling the GetTemplate operation\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(config{assembly: assembly, deployedDir: deployed, out: out, commit: "abc", failOnWarning: true}); !errors.Is(err, errWarnings) {
		t.Errorf("run -assembly -fail-on-warning with an added IAM statement: got %v, want errWarnings", err)
	}
	md, _ := os.ReadFile(out)
	for _, s := range []string{"| 3 | `PipelineStack-dr` | environment **dr** | 333333333333 | **not compared** |", "AccessDenied", "`Deploy-production` changed (environment **production**)"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("comment lacks %q:\n%s", s, md)
		}
	}
	if err := run(config{assembly: assembly, out: out}); err == nil || !strings.Contains(err.Error(), "-deployed-dir") {
		t.Errorf("-assembly without -deployed-dir: got %v", err)
	}
}

// An app of one stack without environments gets the comment it always had.
func TestRunAssemblyOneStack(t *testing.T) {
	dir := t.TempDir()
	assembly, deployed := filepath.Join(dir, "cdk.out"), filepath.Join(dir, "deployed")
	for _, d := range []string{assembly, deployed} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile := func(from, to string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("testdata/added-resource/synthesized.json", filepath.Join(assembly, "PipelineStack.template.json"))
	copyFile("testdata/added-resource/deployed.json", filepath.Join(deployed, "PipelineStack.json"))
	manifest := `{"version":"1","artifacts":{"PipelineStack":{"type":"aws:cloudformation:stack","environment":"aws://unknown-account/unknown-region","properties":{"templateFile":"PipelineStack.template.json"}}}}`
	if err := os.WriteFile(filepath.Join(assembly, "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	viaAssembly, single := filepath.Join(dir, "a.md"), filepath.Join(dir, "s.md")
	if err := run(config{assembly: assembly, deployedDir: deployed, out: viaAssembly, commit: "abc"}); err != nil {
		t.Fatal(err)
	}
	if err := run(config{stack: "PipelineStack", deployed: filepath.Join(deployed, "PipelineStack.json"),
		synth: filepath.Join(assembly, "PipelineStack.template.json"), out: single, commit: "abc"}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(viaAssembly)
	s, _ := os.ReadFile(single)
	if string(a) != string(s) || !strings.Contains(string(a), "## cdk diff: `PipelineStack`") {
		t.Errorf("one stack through -assembly:\n%s\nwant:\n%s", a, s)
	}
}
