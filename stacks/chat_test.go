package stacks_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/stacks"
)

// TestSingleEnvironmentApprovalInSlack: without environments, the one
// approval stage reaches the Slack channel, whose members may answer that
// action only.
func TestSingleEnvironmentApprovalInSlack(t *testing.T) {
	cfg, err := config.FromContext(map[string]any{
		"approvalSlackWorkspaceId": "T0123ABCD", "approvalSlackChannelId": "C0123ABCD", "approvalPosition": "beforeDeploy",
	})
	if err != nil {
		t.Fatal(err)
	}
	stack := stacks.NewPipelineStack(cdktest.NewApp(nil), "X", &stacks.PipelineStackProps{Config: &cfg})
	if len(stack.ApprovalChannels) != 1 || stack.ApprovalChannels[0].Slack() == nil {
		t.Fatalf("ApprovalChannels = %v, want one Slack channel", stack.ApprovalChannels)
	}
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::Chatbot::SlackChannelConfiguration"), jsii.Number(1))
	tmpl.ResourceCountIs(jsii.String("AWS::Chatbot::MicrosoftTeamsChannelConfiguration"), jsii.Number(0))
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::ManagedPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Sid": "AnswerApprovals", "Effect": "Allow", "Action": "codepipeline:PutApprovalResult",
			"Resource": map[string]any{"Fn::Join": []any{"", assertions.Match_ArrayWith(&[]any{"/Approval/Approve"})}},
		}})},
	})
}

// TestNoChatByDefault: the default config makes no chat channel.
func TestNoChatByDefault(t *testing.T) {
	stack := stacks.NewPipelineStack(cdktest.NewApp(nil), "X", nil)
	if len(stack.ApprovalChannels) != 0 {
		t.Errorf("ApprovalChannels = %v, want none", stack.ApprovalChannels)
	}
	assertions.Template_FromStack(stack, nil).ResourceCountIs(jsii.String("AWS::Chatbot::SlackChannelConfiguration"), jsii.Number(0))
}
