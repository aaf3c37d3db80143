package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/constructs/imagerepo"
	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/internal/cdktest"
)

// TestConsumerStack builds the constructs the way another team would: in its
// own stack, with resources it already has passed in, and non-default settings.
func TestConsumerStack(t *testing.T) {
	app := cdktest.ValidatingApp(nil)
	stack := awscdk.NewStack(app, jsii.String("TeamStack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	})
	repo := awsecr.Repository_FromRepositoryName(stack, jsii.String("ExistingRepo"), jsii.String("team/web"))
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("ExistingTopic"), jsii.String("arn:aws:sns:eu-west-1:123456789012:releases"))
	bucket := awss3.Bucket_FromBucketName(stack, jsii.String("ExistingBucket"), jsii.String("team-artifacts"))
	app2 := awscodedeploy.ServerApplication_FromServerApplicationName(stack, jsii.String("ExistingApp"), jsii.String("web"))

	build := dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
		Repository:   repo,
		BuildSpec:    awscodebuild.BuildSpec_FromSourceFilename(jsii.String("ci/buildspec.yml")),
		Architecture: awsec2.InstanceArchitecture_ARM_64,
		Timeout:      awscdk.Duration_Minutes(jsii.Number(45)),
	})
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{Topic: topic})
	group := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		Application:      app2,
		InstanceTags:     awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"Team": jsii.Strings("web", "web-canary")}),
		DeploymentConfig: awscodedeploy.ServerDeploymentConfig_HALF_AT_A_TIME(),
	})
	releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:            jsii.String("team"),
		Repo:             jsii.String("web"),
		Branch:           jsii.String("trunk"),
		ConnectionArn:    jsii.String("arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"),
		BuildProject:     build.Project(),
		DeploymentGroup:  group.DeploymentGroup(),
		Approval:         approval,
		ApprovalPosition: releasepipeline.BeforeDeploy,
		ArtifactBucket:   bucket,
	})
	// A second repository created by the construct, next to the imported one.
	imagerepo.NewRepository(stack, "Sidecar", &imagerepo.RepositoryProps{KeepReleaseImages: jsii.Number(3)})

	tmpl := assertions.Template_FromStack(stack, nil)
	// Imported resources are used, not recreated.
	tmpl.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::S3::Bucket"), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::Application"), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::CodeConnections::Connection"), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::ECR::Repository"), jsii.Number(1))

	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Environment":      assertions.Match_ObjectLike(&map[string]any{"Type": "ARM_CONTAINER", "PrivilegedMode": true}),
		"TimeoutInMinutes": 45,
	})
	tmpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"ApplicationName":      "web",
		"DeploymentConfigName": "CodeDeployDefault.HalfAtATime",
		"Ec2TagSet": map[string]any{"Ec2TagSetList": []any{map[string]any{"Ec2TagGroup": []any{
			map[string]any{"Key": "Team", "Value": "web", "Type": "KEY_AND_VALUE"},
			map[string]any{"Key": "Team", "Value": "web-canary", "Type": "KEY_AND_VALUE"},
		}}}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), map[string]any{
		"ArtifactStore": map[string]any{"Type": "S3", "Location": "team-artifacts"},
		"Stages": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Name": "Approval",
			"Actions": []any{assertions.Match_ObjectLike(&map[string]any{
				"Configuration": assertions.Match_ObjectLike(&map[string]any{"NotificationArn": "arn:aws:sns:eu-west-1:123456789012:releases"}),
			})},
		})}),
	})
	names := []string{}
	for _, p := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::CodePipeline::Pipeline") {
		for _, s := range p["Properties"].(map[string]any)["Stages"].([]any) {
			names = append(names, s.(map[string]any)["Name"].(string))
		}
	}
	if got := len(names); got != 4 || names[2] != "Approval" {
		t.Errorf("stages: got %v, want Source, Build, Approval, Deploy", names)
	}
	// The imported repository receives the push grant, by name.
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Action":   assertions.Match_ArrayWith(&[]any{"ecr:PutImage"}),
			"Resource": assertions.Match_AnyValue(),
		})})},
	})
}
