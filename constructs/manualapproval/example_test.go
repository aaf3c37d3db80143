package manualapproval_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
)

func ExampleNewApproval() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Approvals"), nil)

	approval := manualapproval.NewApproval(stack, "ReleaseApproval", &manualapproval.ApprovalProps{
		Emails: jsii.Strings("ops@example.com"),
	})
	// Add the action to a stage of your pipeline.
	action := approval.NewAction(&manualapproval.ActionOptions{
		AdditionalInformation: jsii.String("Approve the release of #{SourceVariables.CommitId}"),
	})

	fmt.Println(*action.ActionProperties().ActionName, action.ActionProperties().Category)
	// Output: Approve APPROVAL
}
