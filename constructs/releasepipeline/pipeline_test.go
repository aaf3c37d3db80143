package releasepipeline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/internal/cdktest"
)

const connection = "arn:aws:codestar-connections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"

func build(props releasepipeline.PipelineProps, withApproval bool) (assertions.Template, *releasepipeline.Pipeline) {
	stack := cdktest.NewStack()
	props.BuildProject = awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil)
	props.DeploymentGroup = awscodedeploy.NewServerDeploymentGroup(stack, jsii.String("Group"), &awscodedeploy.ServerDeploymentGroupProps{
		Ec2InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("web")}),
	})
	if props.Owner == nil {
		props.Owner = jsii.String("acme")
		props.Repo = jsii.String("web")
	}
	if withApproval {
		props.Approval = manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{Emails: jsii.Strings("ops@example.com")})
	}
	p := releasepipeline.NewPipeline(stack, "Release", &props)
	return assertions.Template_FromStack(stack, nil), p
}

func stageNames(t *testing.T, tmpl assertions.Template) []string {
	t.Helper()
	var names []string
	for _, p := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::CodePipeline::Pipeline") {
		for _, s := range p["Properties"].(map[string]any)["Stages"].([]any) {
			names = append(names, s.(map[string]any)["Name"].(string))
		}
	}
	return names
}

func TestPipelineStagesAndSource(t *testing.T) {
	tmpl, _ := build(releasepipeline.PipelineProps{}, true)
	if got := strings.Join(stageNames(t, tmpl), ","); got != "Source,Approval,Build,Deploy" {
		t.Errorf("stages: got %s, want Source,Approval,Build,Deploy", got)
	}
	tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), map[string]any{
		"PipelineType": "V2",
		"Stages": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Name": "Source",
			"Actions": []any{assertions.Match_ObjectLike(&map[string]any{
				"ActionTypeId": map[string]any{"Category": "Source", "Owner": "AWS", "Provider": "CodeStarSourceConnection", "Version": "1"},
				"Configuration": assertions.Match_ObjectLike(&map[string]any{
					"FullRepositoryId": "acme/web",
					"BranchName":       "main",
					"ConnectionArn":    map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^ReleaseConnection")), "ConnectionArn"}},
				}),
			})},
		})}),
		// A V2 push trigger on the branch starts the pipeline.
		"Triggers": []any{map[string]any{
			"ProviderType": "CodeStarSourceConnection",
			"GitConfiguration": map[string]any{
				"SourceActionName": "GitHub",
				"Push":             []any{map[string]any{"Branches": map[string]any{"Includes": []any{"main"}}}},
			},
		}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::CodeConnections::Connection"), map[string]any{"ProviderType": "GitHub"})
	// No CodeBuild webhook: the pipeline alone reacts to pushes.
	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Source":   map[string]any{"Type": "CODEPIPELINE"},
		"Triggers": assertions.Match_Absent(),
	})
	// The approval request carries the commit id and message.
	tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), map[string]any{
		"Stages": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Name": "Approval",
			"Actions": []any{assertions.Match_ObjectLike(&map[string]any{
				"Configuration": assertions.Match_ObjectLike(&map[string]any{
					"CustomData":         assertions.Match_StringLikeRegexp(jsii.String(`#\{SourceVariables.CommitId\}.*#\{SourceVariables.CommitMessage\}`)),
					"ExternalEntityLink": "https://github.com/acme/web/commit/#{SourceVariables.CommitId}",
				}),
			})},
		})}),
	})
}

func TestPipelineApprovalBeforeDeployAndBranch(t *testing.T) {
	tmpl, _ := build(releasepipeline.PipelineProps{ApprovalPosition: releasepipeline.BeforeDeploy, Branch: jsii.String("release/2")}, true)
	if got := strings.Join(stageNames(t, tmpl), ","); got != "Source,Build,Approval,Deploy" {
		t.Errorf("stages: got %s, want Source,Build,Approval,Deploy", got)
	}
	tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), map[string]any{
		"Triggers": []any{assertions.Match_ObjectLike(&map[string]any{
			"GitConfiguration": assertions.Match_ObjectLike(&map[string]any{
				"Push": []any{map[string]any{"Branches": map[string]any{"Includes": []any{"release/2"}}}},
			}),
		})},
	})
}

func TestPipelineWithoutApproval(t *testing.T) {
	tmpl, _ := build(releasepipeline.PipelineProps{}, false)
	if got := strings.Join(stageNames(t, tmpl), ","); got != "Source,Build,Deploy" {
		t.Errorf("stages: got %s, want Source,Build,Deploy", got)
	}
}

func TestPipelineArtifactBucket(t *testing.T) {
	tmpl, _ := build(releasepipeline.PipelineProps{ArtifactExpiration: awscdk.Duration_Days(jsii.Number(7))}, false)
	tmpl.HasResource(jsii.String("AWS::S3::Bucket"), map[string]any{
		"DeletionPolicy": "Retain",
		"Properties": assertions.Match_ObjectLike(&map[string]any{
			"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
				map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
			}},
			"PublicAccessBlockConfiguration": map[string]any{
				"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
			},
			"LifecycleConfiguration": map[string]any{"Rules": []any{assertions.Match_ObjectLike(&map[string]any{
				"ExpirationInDays": 7, "Status": "Enabled",
			})}},
		}),
	})
	tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Effect":    "Deny",
			"Action":    "s3:*",
			"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
		})})},
	})
	tmpl.ResourceCountIs(jsii.String("Custom::S3AutoDeleteObjects"), jsii.Number(0))
}

func TestPipelineExistingConnectionBothPrefixes(t *testing.T) {
	tmpl, p := build(releasepipeline.PipelineProps{ConnectionArn: jsii.String(connection)}, false)
	tmpl.ResourceCountIs(jsii.String("AWS::CodeConnections::Connection"), jsii.Number(0))
	if p.Connection() != nil {
		t.Error("Connection(): want nil when an ARN is given")
	}
	// Both service prefixes are granted on both ARN forms.
	var found bool
	for _, pol := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::IAM::Policy") {
		doc, _ := json.Marshal(pol)
		s := string(doc)
		if strings.Contains(s, "codeconnections:UseConnection") {
			found = true
			for _, want := range []string{`"codestar-connections:UseConnection"`, connection, strings.Replace(connection, "codestar-connections", "codeconnections", 1)} {
				if !strings.Contains(s, want) {
					t.Errorf("connection policy lacks %s: %s", want, s)
				}
			}
		}
	}
	if !found {
		t.Error("no policy grants codeconnections:UseConnection")
	}
}

func TestPipelineRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props releasepipeline.PipelineProps
		want  []string
	}{
		{"owner with slash", releasepipeline.PipelineProps{Owner: jsii.String("acme/web"), Repo: jsii.String("web")}, []string{`Owner: got "acme/web"`}},
		{"branch with dots", releasepipeline.PipelineProps{Branch: jsii.String("a..b")}, []string{`Branch: got "a..b"`}},
		{"bad arn and position", releasepipeline.PipelineProps{ConnectionArn: jsii.String("arn:aws:s3:::x"), ApprovalPosition: "later"}, []string{"ConnectionArn: got", `ApprovalPosition: got "later"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := cdktest.PanicMessage(func() { build(tc.props, false) })
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("panic %q: want it to contain %q", msg, w)
				}
			}
		})
	}
}
