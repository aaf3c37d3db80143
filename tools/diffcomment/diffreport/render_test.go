package diffreport_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipline/shipline/tools/diffcomment/diffreport"
)

func TestTruncatesLongOutput(t *testing.T) {
	rep := &diffreport.Report{Stack: "S", Text: strings.Repeat("[~] AWS::IAM::Policy P P1\n", 5000)}
	var b strings.Builder
	if err := diffreport.Render(&b, rep, diffreport.Options{MaxOutput: 1000}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Output truncated") || len(b.String()) > 3000 {
		t.Errorf("long output not truncated (%d characters)", len(b.String()))
	}
}

func TestFenceLongerThanBackticks(t *testing.T) {
	rep := &diffreport.Report{Stack: "S", Text: "```\nweird\n"}
	var b strings.Builder
	if err := diffreport.Render(&b, rep, diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "````text\n") {
		t.Errorf("fence not lengthened:\n%s", b.String())
	}
}

func TestRenderFailure(t *testing.T) {
	var b strings.Builder
	if err := diffreport.RenderFailure(&b, "PipelineStack", "Unable to resolve AWS account to use.\n", diffreport.Options{Commit: "abc"}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{diffreport.Marker, "## cdk diff: `PipelineStack`", "[!CAUTION]", "Unable to resolve AWS account", "commit: abc"} {
		if !strings.Contains(got, want) {
			t.Errorf("failure comment lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "**Summary:**") {
		t.Errorf("a failed diff has no summary:\n%s", got)
	}
}

// `aws cloudformation get-template --query TemplateBody --output json` may
// print the template as a JSON string; both forms compare the same.
func TestDeployedTemplateAsString(t *testing.T) {
	synth := filepath.Join(testdata, "repository-deletable", "synthesized.json")
	body, err := os.ReadFile(filepath.Join(testdata, "repository-deletable", "deployed.json"))
	if err != nil {
		t.Fatal(err)
	}
	quoted, _ := json.Marshal(string(body))
	deployed := filepath.Join(t.TempDir(), "deployed.json")
	if err := os.WriteFile(deployed, quoted, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := diffreport.Compare("PipelineStack", deployed, synth, diffreport.CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Deletable) != 1 || rep.NotDeployed {
		t.Errorf("deployed template given as a string: Deletable %+v, NotDeployed %v", rep.Deletable, rep.NotDeployed)
	}
}

func TestCompareErrors(t *testing.T) {
	dir := t.TempDir()
	yaml := filepath.Join(dir, "deployed.yaml")
	if err := os.WriteFile(yaml, []byte(`"Resources:\n  A:\n    Type: AWS::SNS::Topic\n"`), 0o644); err != nil {
		t.Fatal(err)
	}
	synth := filepath.Join(testdata, "no-change", "synthesized.json")
	for _, tc := range []struct {
		name, deployed, synth string
		opt                   diffreport.CompareOptions
		want                  string
	}{
		{"YAML body", yaml, synth, diffreport.CompareOptions{}, "a YAML template cannot be compared"},
		{"no synthesized template", "", filepath.Join(dir, "missing.json"), diffreport.CompareOptions{}, "missing.json"},
		{"engine not installed", "", synth, diffreport.CompareOptions{Engine: dir}, "npm ci"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := diffreport.Compare("PipelineStack", tc.deployed, tc.synth, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
