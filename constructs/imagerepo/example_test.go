package imagerepo_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/imagerepo"
)

// A repository for the app's images that the hosts' role may pull from.
func ExampleNewRepository() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Images"), nil)
	hostRole := awsiam.NewRole(stack, jsii.String("HostRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
	})

	// snippet:readme
	repo := imagerepo.NewRepository(stack, "Images", &imagerepo.RepositoryProps{
		KeepReleaseImages: jsii.Number(10),
	})
	repo.GrantPull(hostRole)
	// snippet:end

	fmt.Println(*repo.Node().Id(), *repo.Repository().Node().Id())
	// Output: Images Resource
}
