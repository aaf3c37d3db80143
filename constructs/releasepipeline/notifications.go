package releasepipeline

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodestarnotifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// NotificationEvents are the event type ids NotifyTopic sends: an execution
// failed, a manual approval is waiting, an execution succeeded. (In Go, the
// awscodepipeline.PipelineNotificationEvents constants hold the enum member
// names, not these ids, so the ids are spelled out.) Each call returns a new
// slice.
func NotificationEvents() []string {
	return []string{
		"codepipeline-pipeline-pipeline-execution-failed",
		"codepipeline-pipeline-manual-approval-needed",
		"codepipeline-pipeline-pipeline-execution-succeeded",
	}
}

// NotifyTopic sends the NotificationEvents of the pipeline to topic through a
// CodeStar Notifications rule (construct id "Notifications"). Calling it
// again adds the topic as another target of the same rule.
//
// For a topic created in the stack, the topic policy lets
// codestar-notifications.amazonaws.com publish and, when the topic is
// encrypted with a KMS key of the stack, the key policy lets that service
// use the key ("Configure Amazon SNS topics for notifications", Developer
// Tools console user guide). An imported topic's policies cannot be changed
// from here: the synth shows a warning saying what the topic must allow.
func (c *Pipeline) NotifyTopic(topic awssns.ITopic) awscodestarnotifications.NotificationRule {
	rule := c.notifications
	if rule == nil {
		rule = awscodestarnotifications.NewNotificationRule(c, jsii.String("Notifications"), &awscodestarnotifications.NotificationRuleProps{
			Source:     c.pipeline,
			Events:     jsii.Strings(NotificationEvents()...),
			DetailType: awscodestarnotifications.DetailType_FULL,
		})
		c.notifications = rule
	}
	rule.AddTarget(topic)
	if !*awscdk.Resource_IsOwnedResource(topic) {
		awscdk.Annotations_Of(rule).AddWarningV2(jsii.String("shipline:notifications:importedTopic"), jsii.String(
			"pipeline notifications go to an existing topic: its access policy must allow codestar-notifications.amazonaws.com "+
				"to sns:Publish, and its KMS key (if any) must allow that service kms:GenerateDataKey* and kms:Decrypt"), nil)
	}
	return rule
}
