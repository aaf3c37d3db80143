package crossaccount_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/crossaccount"
)

// The roles of a production account whose hosts a pipeline in account
// 111111111111 deploys to.
func ExampleNewTargetRoles() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Production"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")},
	})
	// snippet:readme
	crossaccount.NewTargetRoles(stack, "Roles", &crossaccount.TargetRolesProps{
		PipelineAccount:     jsii.String("111111111111"),
		DeployRoleName:      jsii.String("web-production-deploy"),
		HostRoleName:        jsii.String("web-production-host"),
		ApplicationName:     jsii.String("web"),
		DeploymentGroupName: jsii.String("web-production"),
		ParameterPath:       jsii.String("/web/production/"),
	})
	// snippet:end
	// The pipeline's stack names the deploy role by ARN.
	fmt.Println(crossaccount.RoleArn("222222222222", "web-production-deploy"))
	// Output: arn:aws:iam::222222222222:role/web-production-deploy
}
