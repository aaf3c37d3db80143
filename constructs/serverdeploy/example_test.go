package serverdeploy_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
)

// A deployment group for the hosts tagged App=web, the agent installed on
// them by State Manager, and the policy those hosts' role needs.
func ExampleNewHostAccess() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Example"), nil)
	bucket := awss3.Bucket_FromBucketName(stack, jsii.String("Artifacts"), jsii.String("web-artifacts"))
	repo := awsecr.Repository_FromRepositoryName(stack, jsii.String("Images"), jsii.String("web"))
	hostRole := awsiam.Role_FromRoleName(stack, jsii.String("HostRole"), jsii.String("web-hosts"), nil)

	// snippet:readme
	group := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("web")}),
		Agent:        &serverdeploy.AgentOptions{Mode: serverdeploy.AgentSchedule, Schedule: jsii.String("rate(14 days)")},
	})
	access := serverdeploy.NewHostAccess(stack, "HostAccess", &serverdeploy.HostAccessProps{
		ArtifactBucket: bucket,
		Repository:     repo,
		ParameterPath:  jsii.String("/web/"),
	})
	// The host policy is all the hosts' role needs.
	access.GrantTo(hostRole)
	// snippet:end

	fmt.Println(len(group.AgentInstall().Associations()), "agent association")
	// Output: 1 agent association
}
