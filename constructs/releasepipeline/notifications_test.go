package releasepipeline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/internal/cdktest"
)

// The topic policy and the key policy admit CodeStar Notifications only for
// rules of the stack's own account and Region: the service principal is
// shared by every account.
func TestNotifyTopicAdmitsOnlyOwnRules(t *testing.T) {
	stack := cdktest.NewStack()
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{Emails: jsii.Strings("ops@example.com")})
	p := releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner:        jsii.String("acme"),
		Repo:         jsii.String("web"),
		BuildProject: awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil),
		DeploymentGroup: awscodedeploy.NewServerDeploymentGroup(stack, jsii.String("Group"), &awscodedeploy.ServerDeploymentGroupProps{
			Ec2InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("web")}),
		}),
		Approval: approval,
	})
	p.NotifyTopic(approval.Topic())
	tmpl := assertions.Template_FromStack(stack, nil)

	ownRules := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": map[string]any{"Ref": "AWS::AccountId"}},
		"ArnLike": map[string]any{"aws:SourceArn": map[string]any{"Fn::Join": []any{"", []any{
			"arn:", map[string]any{"Ref": "AWS::Partition"},
			":codestar-notifications:", map[string]any{"Ref": "AWS::Region"},
			":", map[string]any{"Ref": "AWS::AccountId"}, ":notificationrule/*",
		}}}},
	}
	service := map[string]any{"Service": "codestar-notifications.amazonaws.com"}
	tmpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Action": "sns:Publish", "Principal": service, "Condition": ownRules,
		})})},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
		"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Action": []any{"kms:Decrypt", "kms:GenerateDataKey*"}, "Principal": service, "Condition": ownRules,
		})})},
	})
	// The two statements above are the only ones admitting the service.
	raw, _ := json.Marshal(cdktest.JSON(tmpl))
	if n := strings.Count(string(raw), `"Service":"codestar-notifications.amazonaws.com"`); n != 2 {
		t.Errorf("%d statements admit codestar-notifications.amazonaws.com, want 2 (topic and key, both conditioned)", n)
	}
	// The rule is created after the topic's policy.
	for _, rule := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::CodeStarNotifications::NotificationRule") {
		deps, _ := json.Marshal(rule["DependsOn"])
		if !strings.Contains(string(deps), "ApprovalPolicy") {
			t.Errorf("the notification rule does not depend on the topic policy: DependsOn %s", deps)
		}
	}
}
