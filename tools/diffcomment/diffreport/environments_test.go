package diffreport_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipline/shipline/tools/diffcomment/diffreport"
)

// The environments pair (record.sh): the README's example (staging in the
// pipeline's account, production in another) as deployed; the pull request
// changes both and adds dr, in a third account.
var envsDir = filepath.Join(testdata, "environments")

func stackNames(stacks []diffreport.Stack) []string {
	var out []string
	for _, s := range stacks {
		out = append(out, s.Name+"="+s.Environment+"@"+s.Account)
	}
	return out
}

// TestReadAssemblyOrder: the pipeline's stack first, then the environments'
// stacks in the order the pipeline deploys to them: not the alphabet's (dr
// before production), not the manifest's.
func TestReadAssemblyOrder(t *testing.T) {
	want := []string{"PipelineStack=@111111111111", "PipelineStack-production=production@222222222222", "PipelineStack-dr=dr@333333333333"}
	stacks, err := diffreport.ReadAssembly(filepath.Join(envsDir, "synthesized"))
	if err != nil {
		t.Fatal(err)
	}
	if got := stackNames(stacks); !slices.Equal(got, want) {
		t.Errorf("stacks: got %v, want %v", got, want)
	}
	if got := stacks[0].Environments; !slices.Equal(got, []string{"staging", "production", "dr"}) {
		t.Errorf("the pipeline's environments: got %v, want staging, production, dr", got)
	}

	// The same assembly with its manifest listing the stacks the other way round.
	reversed := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(envsDir, "synthesized", "*.template.json"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if err := os.WriteFile(filepath.Join(reversed, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var manifest map[string]any
	raw, _ := os.ReadFile(filepath.Join(envsDir, "synthesized", "manifest.json"))
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`{"version":"1","artifacts":{`)
	arts := manifest["artifacts"].(map[string]any)
	for i, id := range []string{"PipelineStack-dr", "PipelineStack-production", "PipelineStack"} {
		a, _ := json.Marshal(arts[id])
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"` + id + `":` + string(a))
	}
	b.WriteString("}}")
	if err := os.WriteFile(filepath.Join(reversed, "manifest.json"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	stacks, err = diffreport.ReadAssembly(reversed)
	if err != nil {
		t.Fatal(err)
	}
	if got := stackNames(stacks); !slices.Equal(got, want) {
		t.Errorf("stacks of the reversed manifest: got %v, want %v", got, want)
	}
}

func TestReadAssemblyErrors(t *testing.T) {
	if _, err := diffreport.ReadAssembly(t.TempDir()); err == nil || !strings.Contains(err.Error(), "cdk synth") {
		t.Errorf("a folder without manifest.json: got %v, want a hint to synthesize", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"artifacts":{"Tree":{"type":"cdk:tree"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := diffreport.ReadAssembly(dir); err == nil || !strings.Contains(err.Error(), "no stack") {
		t.Errorf("an assembly without stacks: got %v", err)
	}
}

// TestEnvironmentsComment: one comment for the three stacks, in pipeline
// order, where each change names its environment: staging's deployment
// group (a resource of the pipeline's stack), production's check and dr's
// new stage (stages of the pipeline), dr's stack (not deployed yet).
func TestEnvironmentsComment(t *testing.T) {
	stacks, err := diffreport.ReadAssembly(filepath.Join(envsDir, "synthesized"))
	if err != nil {
		t.Fatal(err)
	}
	var reps []*diffreport.Report
	for _, s := range stacks {
		rep, err := diffreport.CompareStack(s, filepath.Join(envsDir, "deployed", s.Name+".json"), diffreport.CompareOptions{})
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, rep)
	}
	envOf := map[string]string{}
	for _, c := range reps[0].Changes {
		envOf[c.LogicalID] = c.Environment
	}
	if envOf["EnvironmentstagingServerDeploy1F617EAC"] != "staging" || envOf["ReleasePipeline8845238D"] != "" {
		t.Errorf("environments of the pipeline stack's changes: %v", envOf)
	}
	want := []diffreport.StageChange{
		{Op: diffreport.OpUpdate, Stage: "Deploy-production", Environment: "production"},
		{Op: diffreport.OpAdd, Stage: "Deploy-dr", Environment: "dr"},
	}
	if !slices.Equal(reps[0].Stages, want) {
		t.Errorf("stage changes: got %+v, want %+v", reps[0].Stages, want)
	}
	if !reps[2].NotDeployed || len(reps[2].Changes) == 0 || reps[2].Changes[0].Environment != "dr" {
		t.Errorf("dr's stack, not deployed yet: %+v", reps[2])
	}

	var b strings.Builder
	if err := diffreport.RenderStacks(&b, reps, diffreport.Options{Commit: "0123abc"}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	inOrder(t, got,
		"| 1 | `PipelineStack` | the pipeline; environment **staging** | 111111111111 |",
		"| 2 | `PipelineStack-production` | environment **production** | 222222222222 | No differences |",
		"| 3 | `PipelineStack-dr` | environment **dr** | 333333333333 |", "(not deployed yet) |",
		"### 1. `PipelineStack`",
		"- 🔄 `Deploy-production` changed (environment **production**)",
		"- ➕ `Deploy-dr` added (environment **dr**)",
		"| 🔄 | staging | `AWS::CodeDeploy::DeploymentGroup` | `Environment-staging/ServerDeploy` |",
		"### 2. `PipelineStack-production`: environment **production**",
		"### 3. `PipelineStack-dr`: environment **dr**",
		"| ➕ | dr | `AWS::CodeDeploy::DeploymentGroup` | `ServerDeploy` |",
	)
	if !strings.HasPrefix(got, diffreport.Marker+"\n") {
		t.Error("the comment does not start with the marker")
	}
	checkGolden(t, "environments", got)
}

// inOrder fails unless each of parts is in s, after the one before it.
func inOrder(t *testing.T, s string, parts ...string) {
	t.Helper()
	at := 0
	for _, p := range parts {
		i := strings.Index(s[at:], p)
		if i < 0 {
			if strings.Contains(s, p) {
				t.Errorf("%q is out of order in:\n%s", p, s)
			} else {
				t.Errorf("%q is missing from:\n%s", p, s)
			}
			return
		}
		at += i + len(p)
	}
}

// A stack whose deployed template could not be read stays in its place,
// saying so; its warnings cannot hide the others'.
func TestRenderStacksFailure(t *testing.T) {
	reps := []*diffreport.Report{
		{Stack: "PipelineStack", Environments: []string{"staging", "production"}},
		{Stack: "PipelineStack-production", Environment: "production", Account: "222222222222",
			Failure: "An error occurred (AccessDenied) when calling the GetTemplate operation\n"},
	}
	var b strings.Builder
	if err := diffreport.RenderStacks(&b, reps, diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	inOrder(t, b.String(),
		"| 2 | `PipelineStack-production` | environment **production** | 222222222222 | **not compared** |",
		"### 1. `PipelineStack`: the pipeline; environment **staging**",
		"### 2. `PipelineStack-production`: environment **production**",
		"> [!CAUTION]", "AccessDenied")
}
