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

func TestActionValidation(t *testing.T) {
	tests := []struct {
		name string
		opts smoketest.ActionOptions
		want []string
	}{
		{"nothing", smoketest.ActionOptions{}, []string{"Input: got nil", "URL: got nil"}},
		{"bad URL and numbers", smoketest.ActionOptions{
			Input: awscodepipeline.NewArtifact(jsii.String("Source"), nil), URL: jsii.String("ftp://example.com"),
			Attempts: jsii.Number(0), IntervalSeconds: jsii.Number(1.5), Command: jsii.String(""),
		}, []string{`URL: got "ftp://example.com"`, "Attempts: got 0, want a whole number 1-100", "IntervalSeconds: got 1.5", `Command: got ""`}},
		{"URL without host", smoketest.ActionOptions{
			Input: awscodepipeline.NewArtifact(jsii.String("Source"), nil), URL: jsii.String("https:///health"),
		}, []string{`URL: got "https:///health", want an http:// or https:// URL with a host`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checks := smoketest.NewProject(newStack(), "Check", nil)
			msg := cdktest.MustPanic(t, func() { checks.NewAction(&tc.opts) })
			for _, w := range append(tc.want, `smoketest.Project "Test/Check"`) {
				if !strings.Contains(msg, w) {
					t.Errorf("want %q in: %s", w, msg)
				}
			}
		})
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
