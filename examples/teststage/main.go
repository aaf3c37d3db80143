// Command teststage is a CDK app that adds a stage of its own to shipline's
// release pipeline: the repository's tests run on the pushed commit after
// the image is built and before the approval and the deployment.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/constructs/imagerepo"
	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// NewTestedReleaseStack delivers acme's "web" app to the hosts tagged
// App=web, with a Test stage of its own.
func NewTestedReleaseStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, props)

	repo := imagerepo.NewRepository(stack, "Images", nil)
	build := dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
		Repository: repo.Repository(),
		Managed:    &dockerbuild.ManagedBuild{AppName: jsii.String("web")},
	})
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{
		Emails: jsii.Strings("ops@example.com"),
	})
	group := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("web")}),
	})
	pipeline := releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:            jsii.String("acme"),
		Repo:             jsii.String("web"),
		BuildProject:     build.Project(),
		DeploymentGroup:  group.DeploymentGroup(),
		Approval:         approval,
		ApprovalPosition: releasepipeline.BeforeDeploy,
	})

	// The tests: the repository's own buildspec, on the commit the pipeline
	// checked out, with the commit id from the source action's variables.
	tests := awscodebuild.NewPipelineProject(stack, jsii.String("Tests"), &awscodebuild.PipelineProjectProps{
		BuildSpec: awscodebuild.BuildSpec_FromSourceFilename(jsii.String("ci/test.yml")),
		Environment: &awscodebuild.BuildEnvironment{
			BuildImage: awscodebuild.LinuxBuildImage_STANDARD_7_0(),
		},
		Logging: &awscodebuild.LoggingOptions{CloudWatch: &awscodebuild.CloudWatchLoggingOptions{
			LogGroup: awslogs.NewLogGroup(stack, jsii.String("TestLogs"), &awslogs.LogGroupProps{
				Retention: awslogs.RetentionDays_ONE_MONTH,
			}),
		}},
	})
	pipeline.AddStageBeforeDeploy("Test", awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
		ActionName: jsii.String("UnitTests"),
		Project:    tests,
		Input:      pipeline.SourceArtifact(),
		EnvironmentVariables: &map[string]*awscodebuild.BuildEnvironmentVariable{
			"COMMIT": {Value: pipeline.Source().Variables().CommitId},
		},
	}))
	pipeline.NotifyTopic(approval.Topic())

	serverdeploy.NewHostAccess(stack, "HostAccess", &serverdeploy.HostAccessProps{
		ArtifactBucket: pipeline.ArtifactBucket(),
		Repository:     repo.Repository(),
		ParameterPath:  jsii.String("/web/"),
	})
	return stack
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	NewTestedReleaseStack(app, "WebRelease", nil)
	app.Synth(nil)
}
