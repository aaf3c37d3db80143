package smoketest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/smoketest"
	"github.com/shipline/shipline/internal/cdktest"
)

func newStack() awscdk.Stack {
	return awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
}

// TestProjectInPipeline: the project runs the embedded script unprivileged,
// and each action passes its URL, attempts, interval and command.
func TestProjectInPipeline(t *testing.T) {
	stack := newStack()
	source := awscodepipeline.NewArtifact(jsii.String("Source"), nil)
	checks := smoketest.NewProject(stack, "Check", nil)
	staging := checks.NewAction(&smoketest.ActionOptions{
		Input: source, URL: jsii.String("https://staging.example.com/health"), Command: jsii.String("make smoke"),
	})
	production := checks.NewAction(&smoketest.ActionOptions{
		Input: source, URL: jsii.String("https://example.com/health"), Attempts: jsii.Number(30), IntervalSeconds: jsii.Number(20),
	})
	awscodepipeline.NewPipeline(stack, jsii.String("Pipeline"), &awscodepipeline.PipelineProps{
		PipelineType:   awscodepipeline.PipelineType_V2,
		ArtifactBucket: awss3.Bucket_FromBucketName(stack, jsii.String("Bucket"), jsii.String("artifacts")),
		Stages: &[]*awscodepipeline.StageProps{
			{StageName: jsii.String("Source"), Actions: &[]awscodepipeline.IAction{awscodepipelineactions.NewS3SourceAction(&awscodepipelineactions.S3SourceActionProps{
				ActionName: jsii.String("S3"), Bucket: awss3.Bucket_FromBucketName(stack, jsii.String("Src"), jsii.String("src")),
				BucketKey: jsii.String("src.zip"), Output: source,
			})}},
			{StageName: jsii.String("Staging"), Actions: &[]awscodepipeline.IAction{staging}},
			{StageName: jsii.String("Production"), Actions: &[]awscodepipeline.IAction{production}},
		},
	})
	tpl := assertions.Template_FromStack(stack, nil)

	tpl.ResourceCountIs(jsii.String("AWS::CodeBuild::Project"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), &map[string]any{
		"Environment": map[string]any{
			"Image": "aws/codebuild/standard:7.0", "ComputeType": "BUILD_GENERAL1_SMALL", "PrivilegedMode": false,
		},
		"TimeoutInMinutes": 15,
		"LogsConfig": map[string]any{"CloudWatchLogs": map[string]any{
			"Status": "ENABLED", "GroupName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^CheckLogs"))},
		}},
	})
	for _, r := range *tpl.FindResources(jsii.String("AWS::CodeBuild::Project"), nil) {
		spec := (*r)["Properties"].(map[string]any)["Source"].(map[string]any)["BuildSpec"].(string)
		var doc struct {
			Phases struct {
				Build struct{ Commands []string } `json:"build"`
			} `json:"phases"`
		}
		if err := json.Unmarshal([]byte(spec), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Phases.Build.Commands) != 1 || doc.Phases.Build.Commands[0] != smoketest.Script {
			t.Errorf("buildspec: want the embedded script as the one build command, got %q", doc.Phases.Build.Commands)
		}
	}
	tpl.ResourceCountIs(jsii.String("AWS::Logs::LogGroup"), jsii.Number(1))
	tpl.HasResource(jsii.String("AWS::Logs::LogGroup"), &map[string]any{
		"DeletionPolicy": "Retain", "Properties": map[string]any{"RetentionInDays": 30},
	})

	pipeline := *tpl.FindResources(jsii.String("AWS::CodePipeline::Pipeline"), nil)
	for _, r := range pipeline {
		stages := (*r)["Properties"].(map[string]any)["Stages"].([]any)
		env := func(i int) map[string]string {
			raw := stages[i].(map[string]any)["Actions"].([]any)[0].(map[string]any)["Configuration"].(map[string]any)["EnvironmentVariables"].(string)
			var vars []struct{ Name, Value, Type string }
			if err := json.Unmarshal([]byte(raw), &vars); err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, v := range vars {
				if v.Type != "PLAINTEXT" {
					t.Errorf("%s: type %s, want PLAINTEXT", v.Name, v.Type)
				}
				out[v.Name] = v.Value
			}
			return out
		}
		want := []map[string]string{
			{"CHECK_URL": "https://staging.example.com/health", "CHECK_ATTEMPTS": "10", "CHECK_INTERVAL": "10", "CHECK_COMMAND": "make smoke"},
			{"CHECK_URL": "https://example.com/health", "CHECK_ATTEMPTS": "30", "CHECK_INTERVAL": "20"},
		}
		for i, w := range want {
			got := env(i + 1)
			if toJSON(got) != toJSON(w) {
				t.Errorf("stage %d variables: got %v, want %v", i+1, got, w)
			}
		}
	}
	if checks.Project() == nil || checks.LogGroup() == nil {
		t.Error("getters: want the project and its log group")
	}
}

// TestActionValidation: bad options fail the synth with one line each,
// under the project's path, as every construct reports its props; a missing
// Input or URL stops at once.
func TestActionValidation(t *testing.T) {
	source := func() awscodepipeline.Artifact { return awscodepipeline.NewArtifact(jsii.String("Source"), nil) }
	tests := []struct {
		name   string
		opts   func() *smoketest.ActionOptions
		atOnce bool
		want   []string
	}{
		{"nothing", func() *smoketest.ActionOptions { return &smoketest.ActionOptions{} }, true,
			[]string{"ActionOptions.Input: got nil, want the pipeline's source artifact", "ActionOptions.URL: got nil"}},
		{"nil options", func() *smoketest.ActionOptions { return nil }, true, []string{"ActionOptions.Input: got nil"}},
		{"no URL", func() *smoketest.ActionOptions { return &smoketest.ActionOptions{Input: source()} }, true,
			[]string{"ActionOptions.URL: got nil, want the environment's URL"}},
		{"bad URL and numbers", func() *smoketest.ActionOptions {
			return &smoketest.ActionOptions{Input: source(), URL: jsii.String("ftp://example.com"),
				Attempts: jsii.Number(0), IntervalSeconds: jsii.Number(1.5), Command: jsii.String("")}
		}, false, []string{`ActionOptions.URL: got "ftp://example.com"`, "ActionOptions.Attempts: got 0, want a whole number 1-100",
			"ActionOptions.IntervalSeconds: got 1.5, want a whole number 1-300", `ActionOptions.Command: got "", want a command or nil`}},
		{"URL without host", func() *smoketest.ActionOptions {
			return &smoketest.ActionOptions{Input: source(), URL: jsii.String("https:///health")}
		}, false, []string{`ActionOptions.URL: got "https:///health", want an http:// or https:// URL with a host`}},
		{"too many attempts", func() *smoketest.ActionOptions {
			return &smoketest.ActionOptions{Input: source(), URL: jsii.String("https://example.com"), Attempts: jsii.Number(101)}
		}, false, []string{"ActionOptions.Attempts: got 101, want a whole number 1-100"}},
		{"interval too long", func() *smoketest.ActionOptions {
			return &smoketest.ActionOptions{Input: source(), URL: jsii.String("https://example.com"), IntervalSeconds: jsii.Number(301)}
		}, false, []string{"ActionOptions.IntervalSeconds: got 301, want a whole number 1-300"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stack := newStack()
			checks := smoketest.NewProject(stack, "Check", nil)
			opts := tc.opts()
			if !tc.atOnce {
				// The action is made; the synth reports the problems.
				if msg := cdktest.PanicMessage(func() { checks.NewAction(opts) }); msg != "" {
					t.Fatalf("NewAction panicked at once, want the problem reported at synth: %s", msg)
				}
			}
			msg := cdktest.MustFailSynth(t, stack, func() { checks.NewAction(opts) })
			for _, w := range tc.want {
				if !strings.Contains(msg, "[Test/Check] "+w) {
					t.Errorf("want %q under the project's path in: %s", w, msg)
				}
			}
			if strings.Contains(msg, "goroutine") || strings.Contains(msg, ".go:") {
				t.Errorf("want plain lines, got a stack trace: %s", msg)
			}
		})
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
