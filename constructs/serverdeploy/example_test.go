package serverdeploy_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
)

// A deployment group for the hosts tagged App=myapp, the agent installed on
// them by State Manager, and the policy those hosts' role needs.
func ExampleNewHostAccess() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Example"), nil)

	group := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("myapp")}),
		Agent:        &serverdeploy.AgentOptions{Mode: serverdeploy.AgentSchedule, Schedule: jsii.String("rate(14 days)")},
	})
	access := serverdeploy.NewHostAccess(stack, "HostAccess", &serverdeploy.HostAccessProps{
		ArtifactBucket: awss3.Bucket_FromBucketName(stack, jsii.String("Artifacts"), jsii.String("my-artifacts")),
		Repository:     awsecr.Repository_FromRepositoryName(stack, jsii.String("Images"), jsii.String("myapp")),
		ParameterPath:  jsii.String("/myapp/"),
	})
	// Attach this policy, alone, to the hosts' role.
	awscdk.NewCfnOutput(stack, jsii.String("HostPolicyArn"), &awscdk.CfnOutputProps{Value: access.Policy().ManagedPolicyArn()})

	fmt.Println(len(group.AgentInstall().Associations()), "agent association")
	// Output: 1 agent association
}
