package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/shipline/shipline/internal/ops"
)

// pipelineInMoto creates the pipeline (and the role moto wants it to have).
func (w *world) pipelineInMoto() {
	w.t.Helper()
	w.pipelineWith("Source", "Approval", "Build", "Deploy")
}

// pipelineWith creates the pipeline with these stages, each with one action
// of the kind its name suggests.
func (w *world) pipelineWith(stages ...string) {
	w.t.Helper()
	_, err := w.moto.Query("iam", url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {"pipeline"},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"codepipeline.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}})
	w.must(err)
	action := func(name, category, provider string) map[string]any {
		return map[string]any{"name": name, "actionTypeId": map[string]any{"category": category, "owner": "AWS", "provider": provider, "version": "1"}}
	}
	var list []any
	for _, name := range stages {
		a := action("Deploy", "Deploy", "CodeDeploy")
		switch {
		case name == "Source":
			a = action("GitHub", "Source", "CodeStarSourceConnection")
		case name == "Build":
			a = action("DockerBuild", "Build", "CodeBuild")
		case strings.HasPrefix(name, "Approv"):
			a = action("Approve", "Approval", "Manual")
		}
		list = append(list, map[string]any{"name": name, "actions": []any{a}})
	}
	_, err = w.moto.JSON("codepipeline", "CodePipeline_20150709.CreatePipeline", map[string]any{"pipeline": map[string]any{
		"name": pipeline, "roleArn": "arn:aws:iam::" + account + ":role/pipeline",
		"artifactStore": map[string]any{"type": "S3", "location": bucketName},
		"stages":        list,
	}})
	w.must(err)
}

func TestStatusShowsStagesAndWhatEachHostRuns(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.deployTarget()
	w.pipelineInMoto()
	w.fillPipelineGaps(map[string]stageRun{
		"Source": {status: "Succeeded"}, "Approval": {status: "Succeeded"}, "Build": {status: "Succeeded"},
		"Deploy": {status: "Failed", message: "Deployment failed: 1 of 2 instances failed"},
	}, "3333333ccccccccccccccccccccccccccccccccc", "Fix the login form\n\nLonger text")
	prev := w.release("2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
	cur := w.release("3333333ccccccccccccccccccccccccccccccccc")
	d1 := w.deploy(prev, succeeded(2))
	w.hostTargets(d1, map[string]string{"i-0aaa": "Succeeded", "i-0bbb": "Succeeded"})
	d2 := w.deploy(cur, deploymentState{status: "Failed", overview: map[string]int{"Succeeded": 1, "Failed": 1}, err: "1 of 2 instances failed"})
	w.hostTargets(d2, map[string]string{"i-0aaa": "Succeeded", "i-0bbb": "Failed"})

	out, stderr, code := shipline(t, "status", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var st ops.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	var stages []string
	for _, s := range st.Pipeline.Stages {
		stages = append(stages, s.Name+"="+s.Status)
	}
	if got, want := strings.Join(stages, " "), "Source=Succeeded Approval=Succeeded Build=Succeeded Deploy=Failed"; got != want {
		t.Errorf("stages = %s, want %s", got, want)
	}
	if e := st.Pipeline.LastExecution; e == nil || e.Summary != "Fix the login form" || e.Commit != cur.commit {
		t.Errorf("last execution = %+v, want commit %s with the summary's first line", e, cur.commit)
	}
	if len(st.Environments) != 1 || st.Environments[0].Name != "" || st.Environments[0].Group != groupName {
		t.Fatalf("environments = %+v, want the stack's one deployment group, unnamed", st.Environments)
	}
	env := st.Environments[0]
	if env.Last == nil || env.Last.ID != d2 || env.Last.Status != "Failed" {
		t.Errorf("last deployment = %+v, want %s Failed", env.Last, d2)
	}
	if len(env.Hosts) != 2 {
		t.Fatalf("hosts = %+v, want 2", env.Hosts)
	}
	a, b := env.Hosts[0], env.Hosts[1]
	if a.Instance != "i-0aaa" || a.Release == nil || a.Release.Commit != cur.commit || a.Release.Digest != cur.digest || !a.Healthy {
		t.Errorf("host a = %+v, want healthy on %s", a, cur.commit)
	}
	if b.Instance != "i-0bbb" || b.Release == nil || b.Release.Commit != prev.commit || b.Healthy ||
		!strings.Contains(b.Health, "ValidateService") || !strings.Contains(b.Health, d2) {
		t.Errorf("host b = %+v, want still on %s, unhealthy at ValidateService of %s", b, prev.commit, d2)
	}

	text, _, _ := shipline(t, "status")
	for _, want := range []string{"Deploy", "Deployment failed: 1 of 2 instances failed", "i-0bbb", "2222222", "failed " + d2 + " at ValidateService"} {
		if !strings.Contains(text, want) {
			t.Errorf("text status lacks %q:\n%s", want, text)
		}
	}
}

func TestStatusPipelineMissing(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.deployTarget()
	w.fillPipelineGaps(nil, "", "")
	_, stderr, code := shipline(t, "status")
	if code != 1 || !strings.Contains(stderr, `pipeline "`+pipeline+`" (stack output PipelineName) does not exist`) {
		t.Errorf("exit %d, stderr %q: want 1 and the missing pipeline named", code, stderr)
	}
}
