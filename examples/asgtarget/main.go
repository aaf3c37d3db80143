// Command asgtarget is a CDK app that deploys to an Auto Scaling group with
// the stock release pipeline: the group's instances get the host policy
// through their role, the CodeDeploy agent through State Manager, and the
// deployment group is passed to the pipeline as it is.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/constructs/imagerepo"
	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// NewFleetStack delivers the "web" app of acme to an Auto Scaling group of
// two to four hosts.
func NewFleetStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, props)

	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
			Name: jsii.String("Public"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24),
		}},
	})
	fleet := awsautoscaling.NewAutoScalingGroup(stack, jsii.String("Fleet"), &awsautoscaling.AutoScalingGroupProps{
		Vpc:                      vpc,
		VpcSubnets:               &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC},
		InstanceType:             awsec2.NewInstanceType(jsii.String("t3.small")),
		MachineImage:             awsec2.MachineImage_LatestAmazonLinux2023(nil),
		MinCapacity:              jsii.Number(2),
		MaxCapacity:              jsii.Number(4),
		RequireImdsv2:            jsii.Bool(true),
		AssociatePublicIpAddress: jsii.Bool(true),
	})

	repo := imagerepo.NewRepository(stack, "Images", nil)
	build := dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
		Repository: repo.Repository(),
		Managed:    &dockerbuild.ManagedBuild{AppName: jsii.String("web")},
	})
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{
		Emails: jsii.Strings("ops@example.com"),
	})
	group := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		AutoScalingGroups: &[]awsautoscaling.IAutoScalingGroup{fleet},
		Agent:             &serverdeploy.AgentOptions{Mode: serverdeploy.AgentOnce},
		// Half the fleet keeps serving while the other half is deployed.
		DeploymentConfig:  awscodedeploy.ServerDeploymentConfig_HALF_AT_A_TIME(),
		NotificationTopic: approval.Topic(),
	})
	pipeline := releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:           jsii.String("acme"),
		Repo:            jsii.String("web"),
		BuildProject:    build.Project(),
		DeploymentGroup: group.DeploymentGroup(),
		Approval:        approval,
	})
	pipeline.NotifyTopic(approval.Topic())
	serverdeploy.NewHostAccess(stack, "HostAccess", &serverdeploy.HostAccessProps{
		ArtifactBucket: pipeline.ArtifactBucket(),
		Repository:     repo.Repository(),
		ParameterPath:  jsii.String("/web/"),
		Role:           fleet.Role(),
	})
	return stack
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	// Environment-agnostic: the VPC's zones are resolved at deploy time.
	NewFleetStack(app, "WebFleet", nil)
	app.Synth(nil)
}
