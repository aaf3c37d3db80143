package test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/tools/diffcomment/diffreport"
)

// TestDiffCommentRemovalDestroy: the pull-request comment for
// `-c removalPolicy=destroy` against the default stack warns that every
// resource the default keeps (the image repository, the buckets, the log
// groups) becomes deletable.
func TestDiffCommentRemovalDestroy(t *testing.T) {
	var deployed, synthesized *synthResult
	for _, v := range stackVariants {
		switch v.name {
		case "default":
			deployed = synthVariant(t, v)
		case "removalDestroy":
			synthesized = synthVariant(t, v)
		}
	}
	rep, err := diffreport.Compare("PipelineStack", deployed.file, synthesized.file, diffreport.CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := diffreport.Render(&b, rep, diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	comment := b.String()

	reported := map[string]diffreport.DataChange{}
	for _, d := range rep.Deletable {
		reported[d.LogicalID] = d
	}
	kept := map[string]int{}
	for _, typ := range []string{"AWS::ECR::Repository", "AWS::S3::Bucket", "AWS::Logs::LogGroup"} {
		for _, r := range resourcesOf(deployed.tmpl, typ) {
			if r.Body["DeletionPolicy"] != "Retain" {
				continue
			}
			kept[typ]++
			d, ok := reported[r.ID]
			if !ok {
				t.Errorf("%s %s is kept by default and deletable with removalPolicy=destroy, but the comment does not warn", typ, r.ID)
				continue
			}
			if !strings.Contains(strings.Join(d.Reasons, "; "), "DeletionPolicy Retain → Delete") {
				t.Errorf("%s: reasons %q do not name the DeletionPolicy change", r.ID, d.Reasons)
			}
			if !strings.Contains(comment, "`"+d.Name()+"` becomes **deletable**") {
				t.Errorf("the comment's warnings do not name %s", d.Name())
			}
		}
	}
	// The repository, the artifact bucket and its access log bucket, the
	// build log group: if the stack keeps fewer, this test checks less.
	if kept["AWS::ECR::Repository"] < 1 || kept["AWS::S3::Bucket"] < 2 || kept["AWS::Logs::LogGroup"] < 1 {
		t.Errorf("the default stack keeps %v; want at least the repository, two buckets and a log group", kept)
	}
	if !strings.Contains(comment, "> [!WARNING]") {
		t.Errorf("no WARNING section:\n%s", comment)
	}
}

// TestDiffCommentEnvironments: moving the default stack to the two
// environments. The comment covers both stacks, the pipeline's first; it
// names the environment of each new stage and of staging's new resources,
// and production's stack (another account, not deployed yet) is its own
// section, after the pipeline's.
func TestDiffCommentEnvironments(t *testing.T) {
	var deployed *synthResult
	for _, v := range stackVariants {
		if v.name == "default" {
			deployed = synthVariant(t, v)
		}
	}
	r := synthVariant(t, stackVariant{name: "twoEnvironments"})
	stacks, err := diffreport.ReadAssembly(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) != 2 || stacks[0].Name != "PipelineStack" || stacks[1].Name != "PipelineStack-production" ||
		stacks[1].Environment != "production" || stacks[1].Account != testTargetAccount {
		t.Fatalf("stacks in pipeline order: got %+v, want PipelineStack, then PipelineStack-production (production, %s)", stacks, testTargetAccount)
	}
	if got := strings.Join(stacks[0].Environments, ","); got != "staging,production" {
		t.Errorf("the pipeline's environments: got %s, want staging,production", got)
	}
	var reps []*diffreport.Report
	for i, s := range stacks {
		deployedFile := deployed.file
		if i > 0 {
			deployedFile = "" // not deployed yet
		}
		rep, err := diffreport.CompareStack(s, deployedFile, diffreport.CompareOptions{})
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, rep)
	}
	var stages []string
	for _, s := range reps[0].Stages {
		stages = append(stages, string(s.Op)+" "+s.Stage+" "+s.Environment)
	}
	want := []string{"add Deploy-staging staging", "add Approve-production production", "add Deploy-production production", "remove Deploy "}
	if strings.Join(stages, "|") != strings.Join(want, "|") {
		t.Errorf("stage changes: got %q, want %q", stages, want)
	}
	var stagingGroup bool
	for _, c := range reps[0].Changes {
		if c.Type == "AWS::CodeDeploy::DeploymentGroup" && c.Op == diffreport.OpAdd {
			stagingGroup = c.Environment == "staging"
		}
	}
	if !stagingGroup {
		t.Errorf("the new deployment group in the pipeline's stack is not staging's: %+v", reps[0].Changes)
	}
	var b strings.Builder
	if err := diffreport.RenderStacks(&b, reps, diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	comment := b.String()
	first := strings.Index(comment, "### 1. `PipelineStack`: the pipeline; environment **staging**")
	second := strings.Index(comment, "### 2. `PipelineStack-production`: environment **production**")
	if first < 0 || second < first {
		t.Errorf("sections: want the pipeline's stack, then production's:\n%s", comment)
	}
}

// TestDiffFixturesCurrent fails when the template pairs tools/diffcomment is
// tested on were recorded from an older stack than today's: their resources
// must be the ones the same configurations synthesize now (the default, with
// `-c removalPolicy=destroy`, and the README's two-environment example).
func TestDiffFixturesCurrent(t *testing.T) {
	variants := map[string]stackVariant{}
	for _, v := range stackVariants {
		variants[v.name] = v
	}
	dir := filepath.Join(cdktest.ModuleRoot(), "tools", "diffcomment", "testdata")
	for _, c := range []struct{ fixture, variant, stack string }{
		{"removal-destroy/deployed.json", "default", "PipelineStack"},
		{"removal-destroy/synthesized.json", "removalDestroy", "PipelineStack"},
		{"not-deployed/synthesized.json", "default", "PipelineStack"},
		{"environments/deployed/PipelineStack.json", "twoEnvironments", "PipelineStack"},
		{"environments/deployed/PipelineStack-production.json", "twoEnvironments", "PipelineStack-production"},
	} {
		r := synthVariant(t, variants[c.variant])
		want := comparableResources(readJSON(filepath.Join(r.dir, c.stack+".template.json")))
		got := comparableResources(readJSON(filepath.Join(dir, c.fixture)))
		if d := firstDifference("", got, want); d != "" {
			t.Errorf("tools/diffcomment/testdata/%s is stale (the %s stack synthesizes otherwise at %s): run `make diff-fixtures`", c.fixture, c.variant, d)
		}
	}
}

// comparableResources are a template's resources without their metadata
// (construct paths, cdk-nag's suppressions) and the CLI's version report
// (CDKMetadata), with asset hashes blanked.
func comparableResources(tmpl map[string]any) any {
	res, _ := withoutMetadata(tmpl)["Resources"].(map[string]any)
	for id, r := range res {
		if r.(map[string]any)["Type"] == "AWS::CDK::Metadata" {
			delete(res, id)
		}
	}
	raw, _ := json.Marshal(res)
	var out any
	_ = json.Unmarshal(reAssetHash.ReplaceAll(raw, []byte("<asset-hash>")), &out)
	return out
}
