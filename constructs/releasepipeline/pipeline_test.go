package releasepipeline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
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

// TestPipelineReportsEveryProblemWithPath: the problems of two constructs
// come out of one synth, each line with its construct's path.
func TestPipelineReportsEveryProblemWithPath(t *testing.T) {
	stack := cdktest.NewStack()
	msg := cdktest.MustFailSynth(t, stack, func() {
		manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{Emails: jsii.Strings("ops at example.com")})
		releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
			Owner:           jsii.String("acme/web"),
			Repo:            jsii.String("web"),
			Branch:          jsii.String("a..b"),
			ApprovalTimeout: awscdk.Duration_Days(jsii.Number(90)),
			BuildProject:    awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil),
			DeploymentGroup: awscodedeploy.NewServerDeploymentGroup(stack, jsii.String("Group"), nil),
		})
	})
	for _, want := range []string{
		`[TestStack/Release] Owner: got "acme/web", want a GitHub user or organisation name`,
		`[TestStack/Release] Branch: got "a..b", want a Git branch name`,
		"[TestStack/Release] ApprovalTimeout: got 129600 minutes, want 5-86400 minutes",
		`[TestStack/Approval] Emails: got "ops at example.com"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("synth error lacks %q:\n%s", want, msg)
		}
	}
}

// TestPipelineWithAutoScalingGroup: a deployment group that targets an
// imported Auto Scaling group is passed as is; the pipeline deploys to it
// without granting the artifact bucket to a role the group does not have.
func TestPipelineWithAutoScalingGroup(t *testing.T) {
	stack := cdktest.NewStack()
	asg := awsautoscaling.AutoScalingGroup_FromAutoScalingGroupName(stack, jsii.String("Fleet"), jsii.String("web-fleet"))
	group := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		AutoScalingGroups: &[]awsautoscaling.IAutoScalingGroup{asg},
	})
	releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:           jsii.String("acme"),
		Repo:            jsii.String("web"),
		BuildProject:    awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil),
		DeploymentGroup: group.DeploymentGroup(),
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), map[string]any{
		"Stages": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Name": "Deploy",
			"Actions": []any{assertions.Match_ObjectLike(&map[string]any{
				"Configuration": map[string]any{
					"ApplicationName":     map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DeployApplication"))},
					"DeploymentGroupName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Deploy"))},
				},
			})},
		})}),
	})
}

// TestPipelineExtensible: an importer adds a test stage before the deploy
// stage and a stage after it, from the exported artifacts and source
// variables; the namespace, names and approval timeout are settable.
func TestPipelineExtensible(t *testing.T) {
	stack := cdktest.NewStack()
	props := releasepipeline.PipelineProps{
		Owner:                    jsii.String("acme"),
		Repo:                     jsii.String("web"),
		PipelineName:             jsii.String("web-release"),
		ConnectionName:           jsii.String("web-github"),
		SourceVariablesNamespace: jsii.String("Git"),
		ApprovalTimeout:          awscdk.Duration_Hours(jsii.Number(4)),
		ApprovalPosition:         releasepipeline.BeforeDeploy,
		BuildProject:             awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil),
		DeploymentGroup: awscodedeploy.NewServerDeploymentGroup(stack, jsii.String("Group"), &awscodedeploy.ServerDeploymentGroupProps{
			Ec2InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("web")}),
		}),
		Approval: manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{Emails: jsii.Strings("ops@example.com")}),
	}
	p := releasepipeline.NewPipeline(stack, "Release", &props)
	tests := awscodebuild.NewPipelineProject(stack, jsii.String("Tests"), nil)
	p.AddStageBeforeDeploy("Test", awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
		ActionName: jsii.String("UnitTests"),
		Project:    tests,
		Input:      p.SourceArtifact(),
		EnvironmentVariables: &map[string]*awscodebuild.BuildEnvironmentVariable{
			"COMMIT": {Value: p.Source().Variables().CommitId},
		},
	}))
	staging := awscodedeploy.ServerDeploymentGroup_FromServerDeploymentGroupAttributes(stack, jsii.String("Staging"), &awscodedeploy.ServerDeploymentGroupAttributes{
		Application:         awscodedeploy.ServerApplication_FromServerApplicationName(stack, jsii.String("StagingApp"), jsii.String("web")),
		DeploymentGroupName: jsii.String("web-prod-eu"),
	})
	p.AddStage("DeployEu", awscodepipelineactions.NewCodeDeployServerDeployAction(&awscodepipelineactions.CodeDeployServerDeployActionProps{
		ActionName: jsii.String("Deploy"), DeploymentGroup: staging, Input: p.BundleArtifact(),
	}))

	tmpl := assertions.Template_FromStack(stack, nil)
	if got := strings.Join(stageNames(t, tmpl), ","); got != "Source,Build,Test,Approval,Deploy,DeployEu" {
		t.Errorf("stages: got %s, want Source,Build,Test,Approval,Deploy,DeployEu", got)
	}
	tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), map[string]any{
		"Name": "web-release",
		"Stages": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Name": "Source", "Actions": []any{assertions.Match_ObjectLike(&map[string]any{"Namespace": "Git"})}}),
			assertions.Match_ObjectLike(&map[string]any{"Name": "Test", "Actions": []any{assertions.Match_ObjectLike(&map[string]any{
				"InputArtifacts": []any{map[string]any{"Name": "Source"}},
				"Configuration":  assertions.Match_ObjectLike(&map[string]any{"EnvironmentVariables": assertions.Match_StringLikeRegexp(jsii.String(`#\{Git.CommitId\}`))}),
			})}}),
			assertions.Match_ObjectLike(&map[string]any{"Name": "Approval", "Actions": []any{assertions.Match_ObjectLike(&map[string]any{
				"Configuration":    assertions.Match_ObjectLike(&map[string]any{"CustomData": assertions.Match_StringLikeRegexp(jsii.String(`#\{Git.CommitId\}`))}),
				"TimeoutInMinutes": 240,
			})}}),
			assertions.Match_ObjectLike(&map[string]any{"Name": "DeployEu", "Actions": []any{assertions.Match_ObjectLike(&map[string]any{
				"InputArtifacts": []any{map[string]any{"Name": "Bundle"}},
			})}}),
		}),
	})
	tmpl.HasResourceProperties(jsii.String("AWS::CodeConnections::Connection"), map[string]any{"ConnectionName": "web-github"})
}

// TestNotifyTopicTwice: a second topic joins the same rule.
func TestNotifyTopicTwice(t *testing.T) {
	stack := cdktest.NewStack()
	props := releasepipeline.PipelineProps{
		Owner: jsii.String("acme"), Repo: jsii.String("web"),
		BuildProject: awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil),
		DeploymentGroup: awscodedeploy.NewServerDeploymentGroup(stack, jsii.String("Group"), &awscodedeploy.ServerDeploymentGroupProps{
			Ec2InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("web")}),
		}),
	}
	p := releasepipeline.NewPipeline(stack, "Release", &props)
	p.NotifyTopic(awssns.NewTopic(stack, jsii.String("Ops"), nil))
	p.NotifyTopic(awssns.NewTopic(stack, jsii.String("Chat"), nil))
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::CodeStarNotifications::NotificationRule"), jsii.Number(1))
	tmpl.HasResourceProperties(jsii.String("AWS::CodeStarNotifications::NotificationRule"), map[string]any{
		"Targets": []any{
			map[string]any{"TargetType": "SNS", "TargetAddress": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Ops"))}},
			map[string]any{"TargetType": "SNS", "TargetAddress": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Chat"))}},
		},
	})
}

// TestNotificationEventsIsACopy: an importer changing the slice it got does
// not change what the next pipeline sends.
func TestNotificationEventsIsACopy(t *testing.T) {
	events := releasepipeline.NotificationEvents()
	events[0] = "changed"
	if releasepipeline.NotificationEvents()[0] == "changed" {
		t.Error("NotificationEvents returns shared storage")
	}
}
