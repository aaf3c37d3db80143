package imagerepo_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/imagerepo"
)

func ExampleNewRepository() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Images"), nil)

	repo := imagerepo.NewRepository(stack, "AppImages", &imagerepo.RepositoryProps{
		KeepReleaseImages: jsii.Number(10),
	})
	hosts := awsiam.NewRole(stack, jsii.String("HostRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
	})
	repo.GrantPull(hosts)

	fmt.Println(*repo.Node().Id(), *repo.Repository().Node().Id())
	// Output: AppImages Resource
}
