package releasepipeline_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
)

func ExampleNewPipeline() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Delivery"), nil)

	project := awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil)
	group := awscodedeploy.ServerDeploymentGroup_FromServerDeploymentGroupAttributes(stack, jsii.String("Group"),
		&awscodedeploy.ServerDeploymentGroupAttributes{
			Application:         awscodedeploy.ServerApplication_FromServerApplicationName(stack, jsii.String("App"), jsii.String("web")),
			DeploymentGroupName: jsii.String("web-prod"),
		})
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{Emails: jsii.Strings("ops@example.com")})

	p := releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:            jsii.String("acme"),
		Repo:             jsii.String("web"),
		BuildProject:     project,
		DeploymentGroup:  group,
		Approval:         approval,
		ApprovalPosition: releasepipeline.BeforeDeploy,
	})

	fmt.Println(*p.Pipeline().Node().Id(), p.Connection() != nil)
	// Output: Resource true
}
