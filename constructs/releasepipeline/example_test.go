package releasepipeline_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// A pipeline that deploys to an existing Auto Scaling group, with a test
// stage of your own between the build and the deployment.
func ExampleNewPipeline() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Delivery"), nil)
	build := dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
		Repository: awsecr.Repository_FromRepositoryName(stack, jsii.String("Images"), jsii.String("web")),
		Managed:    &dockerbuild.ManagedBuild{AppName: jsii.String("web")},
	})
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{
		Emails: jsii.Strings("ops@example.com"),
	})

	// snippet:readme
	// Hosts by tag or, as here, an existing Auto Scaling group: the pipeline
	// takes either as is.
	fleet := awsautoscaling.AutoScalingGroup_FromAutoScalingGroupName(stack, jsii.String("Fleet"), jsii.String("web-fleet"))
	group := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		AutoScalingGroups: &[]awsautoscaling.IAutoScalingGroup{fleet},
	})
	p := releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:            jsii.String("acme"),
		Repo:             jsii.String("web"),
		BuildProject:     build.Project(),
		DeploymentGroup:  group.DeploymentGroup(),
		Approval:         approval,
		ApprovalPosition: releasepipeline.BeforeDeploy,
	})
	// A stage of your own: tests of the pushed commit, after the build and
	// before the approval.
	tests := awscodebuild.NewPipelineProject(stack, jsii.String("Tests"), &awscodebuild.PipelineProjectProps{
		BuildSpec: awscodebuild.BuildSpec_FromSourceFilename(jsii.String("ci/test.yml")),
	})
	p.AddStageBeforeDeploy("Test", awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
		ActionName: jsii.String("UnitTests"),
		Project:    tests,
		Input:      p.SourceArtifact(),
	}))
	p.NotifyTopic(approval.Topic())
	// snippet:end

	var stages []string
	for _, s := range *p.Pipeline().Stages() {
		stages = append(stages, *s.StageName())
	}
	fmt.Println(strings.Join(stages, " → "))
	// Output: Source → Build → Test → Approval → Deploy
}

// A pipeline in eu-west-1 that deploys to a deployment group in us-east-1,
// through an artifact replica there.
func ExampleNewArtifactReplica() {
	app := awscdk.NewApp(nil)
	env := func(region string) *awscdk.StackProps {
		return &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String(region)}}
	}
	stack := awscdk.NewStack(app, jsii.String("Delivery"), env("eu-west-1"))
	build := dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
		Repository: awsecr.Repository_FromRepositoryName(stack, jsii.String("Images"), jsii.String("web")),
		Managed:    &dockerbuild.ManagedBuild{AppName: jsii.String("web")},
	})

	// snippet:replica
	// The artifact store in us-east-1, in a stack of the pipeline's account
	// there; KeyAlias when another account deploys from it.
	us := awscdk.NewStack(app, jsii.String("Delivery-Artifacts-us-east-1"), env("us-east-1"))
	replica := releasepipeline.NewArtifactReplica(us, "Artifacts", &releasepipeline.ArtifactReplicaProps{
		KeyAlias: jsii.String("alias/delivery-artifacts"),
	})
	// The group, imported by an ARN of its Region: the deploy action runs there.
	application := awscodedeploy.ServerApplication_FromServerApplicationArn(stack, jsii.String("UsApp"),
		jsii.String("arn:aws:codedeploy:us-east-1:111111111111:application:web"))
	group := awscodedeploy.ServerDeploymentGroup_FromServerDeploymentGroupAttributes(stack, jsii.String("UsGroup"),
		&awscodedeploy.ServerDeploymentGroupAttributes{Application: application, DeploymentGroupName: jsii.String("web-us")})
	p := releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:                         jsii.String("acme"),
		Repo:                          jsii.String("web"),
		BuildProject:                  build.Project(),
		DeploymentGroup:               group,
		CrossRegionReplicationBuckets: &map[string]awss3.IBucket{"us-east-1": replica.PipelineBucket()},
	})
	replica.GrantKeyUse(p.Pipeline().Role())
	// snippet:end

	fmt.Println("artifact stores in", slices.Sorted(maps.Keys(*p.Pipeline().CrossRegionSupport())))
	// Output: artifact stores in [eu-west-1 us-east-1]
}
