package apphost_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/apphost"
)

// An arm64 host tagged for the deployment group, serving port 80 to one
// office network, in a new VPC.
func ExampleNewHost() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Example"), nil)

	// snippet:readme
	host := apphost.NewHost(stack, "Host", &apphost.HostProps{
		Architecture: awsec2.InstanceArchitecture_ARM_64,
		Tags:         &map[string]*string{"App": jsii.String("web")},
		IngressCidr:  jsii.String("203.0.113.0/24"),
		// Access: the serverdeploy.HostAccess of the pipeline.
	})
	awscdk.NewCfnOutput(stack, jsii.String("HostInstanceId"), &awscdk.CfnOutputProps{Value: host.Instance().InstanceId()})
	// snippet:end

	fmt.Println(host.SecurityGroup().Connections().SecurityGroups() != nil)
	// Output: true
}
