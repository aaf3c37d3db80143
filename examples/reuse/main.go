// Command reuse is a complete CDK app that uses shipline's constructs in a
// stack of its own: an existing ECR repository and SNS topic, an arm64 build,
// approval before deploy, hosts selected by two tag values.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// NewReleaseStack delivers the "shop" app of the acme organisation.
func NewReleaseStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, props)

	// Resources the team already has.
	images := awsecr.Repository_FromRepositoryName(stack, jsii.String("Images"), jsii.String("acme/shop"))
	alerts := awssns.Topic_FromTopicArn(stack, jsii.String("Alerts"),
		jsii.String("arn:aws:sns:eu-west-1:123456789012:shop-releases"))

	build := dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
		Repository:   images,
		Architecture: awsec2.InstanceArchitecture_ARM_64,
		Managed:      &dockerbuild.ManagedBuild{AppName: jsii.String("shop")},
		BuildSecrets: &map[string]*string{"NPM_TOKEN": jsii.String("/shop/build/NPM_TOKEN")},
	})
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{
		Topic:  alerts,
		Emails: jsii.Strings("release-manager@acme.example"),
	})
	deploy := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{
			"Service": jsii.Strings("shop", "shop-canary"),
		}),
		DeploymentConfig:  awscodedeploy.ServerDeploymentConfig_HALF_AT_A_TIME(),
		NotificationTopic: alerts,
	})
	releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:            jsii.String("acme"),
		Repo:             jsii.String("shop"),
		ConnectionArn:    jsii.String("arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"),
		BuildProject:     build.Project(),
		DeploymentGroup:  deploy.DeploymentGroup(),
		Approval:         approval,
		ApprovalPosition: releasepipeline.BeforeDeploy,
	})
	return stack
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	NewReleaseStack(app, "ShopRelease", &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	})
	app.Synth(nil)
}
