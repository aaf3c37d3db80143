package diffrole_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/diffrole"
)

// A role for the cdk-diff workflow of github.com/acme/web: template diffs only.
// Put its ARN in the repository variable AWS_DIFF_ROLE_ARN.
func ExampleNewDiffRole() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("CiAccess"), nil)

	// snippet:readme
	dr := diffrole.NewDiffRole(stack, "DiffRole", &diffrole.DiffRoleProps{
		Owner: jsii.String("acme"),
		Repo:  jsii.String("web"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("DiffRoleArn"), &awscdk.CfnOutputProps{
		Value: dr.Role().RoleArn(),
	})
	// snippet:end

	fmt.Println(*dr.Node().Id())
	// Output: DiffRole
}
