package chatapproval_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/chatapproval"
)

// A Slack channel where the approvals of a pipeline are announced and
// answered.
func ExampleNewChannel() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Approvals"), nil)
	pipeline := awscodepipeline.Pipeline_FromPipelineArn(stack, jsii.String("Pipeline"),
		jsii.String("arn:aws:codepipeline:eu-west-1:123456789012:web"))

	// snippet:readme
	channel := chatapproval.NewChannel(stack, "ApprovalChannel", &chatapproval.ChannelProps{
		Pipeline: pipeline,
		// A pipeline built in the same app needs no list: its approval
		// actions are found in its stages.
		Approvals: &[]*chatapproval.ApprovalAction{{StageName: jsii.String("Approval")}},
		Slack: &chatapproval.SlackChannel{
			WorkspaceID: jsii.String("T0123ABCD"),
			ChannelID:   jsii.String("C0123ABCD"),
		},
	})
	// snippet:end

	fmt.Println(*channel.NotificationRule().Node().Id(), *channel.Role().Node().Id())
	// Output: Notifications Role
}
