package manualapproval_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
)

// An approval topic with one approver, and an approval action for a stage of
// your own pipeline.
func ExampleNewApproval() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Approvals"), nil)

	// snippet:readme
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{
		Emails: jsii.Strings("ops@example.com"),
	})
	// For a stage of your own pipeline; releasepipeline makes its own.
	action := approval.NewAction(&manualapproval.ActionOptions{
		AdditionalInformation: jsii.String("Approve the release of #{SourceVariables.CommitId}"),
		Timeout:               awscdk.Duration_Hours(jsii.Number(8)),
	})
	// snippet:end

	fmt.Println(*action.ActionProperties().ActionName, action.ActionProperties().Category)
	// Output: Approve APPROVAL
}
