// Command named is a CDK app that sets the physical name of every resource
// shipline's constructs let you name, for teams whose conventions (or
// policies) require names chosen in advance. Unnamed, CloudFormation
// generates them; a named resource is replaced, not renamed, when its name
// changes.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/constructs/imagerepo"
	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// NewNamedReleaseStack delivers acme's "web" app with every name set.
func NewNamedReleaseStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, props)

	repo := imagerepo.NewRepository(stack, "Images", &imagerepo.RepositoryProps{
		RepositoryName: jsii.String("acme/web"),
	})
	build := dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
		Repository: repo.Repository(),
		// "/web" and "/web/" are the same path.
		Managed:     &dockerbuild.ManagedBuild{AppName: jsii.String("web"), ParameterPath: jsii.String("/web")},
		ProjectName: jsii.String("web-image"),
		LogGroup: awslogs.NewLogGroup(stack, jsii.String("BuildLogs"), &awslogs.LogGroupProps{
			LogGroupName: jsii.String("/acme/web/build"),
			Retention:    awslogs.RetentionDays_ONE_MONTH,
		}),
	})
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{
		Emails:    jsii.Strings("ops@example.com"),
		TopicName: jsii.String("web-releases"),
	})
	group := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags:        awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("web")}),
		ApplicationName:     jsii.String("web"),
		DeploymentGroupName: jsii.String("web-production"),
	})
	pipeline := releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:           jsii.String("acme"),
		Repo:            jsii.String("web"),
		BuildProject:    build.Project(),
		DeploymentGroup: group.DeploymentGroup(),
		Approval:        approval,
		PipelineName:    jsii.String("web-release"),
		ConnectionName:  jsii.String("acme-github"),
	})
	serverdeploy.NewHostAccess(stack, "HostAccess", &serverdeploy.HostAccessProps{
		ArtifactBucket: pipeline.ArtifactBucket(),
		Repository:     repo.Repository(),
		ParameterPath:  jsii.String("/web"),
	})
	return stack
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	NewNamedReleaseStack(app, "WebRelease", nil)
	app.Synth(nil)
}
