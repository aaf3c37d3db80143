package releasepipeline

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodestarnotifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
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
// Tools console user guide). Both statements hold only for notification
// rules of this account and Region (aws:SourceAccount, aws:SourceArn), so
// another account's rule cannot use the service to publish to the topic. An
// imported topic's policies cannot be changed from here: the synth shows a
// warning saying what the topic must allow.
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
	rule.AddTarget(&ruleTarget{topic: topic})
	if !*awscdk.Resource_IsOwnedResource(topic) {
		awscdk.Annotations_Of(rule).AddWarningV2(jsii.String("shipline:notifications:importedTopic"), jsii.String(
			"pipeline notifications go to an existing topic: its access policy must allow codestar-notifications.amazonaws.com "+
				"to sns:Publish, and its KMS key (if any) must allow that service kms:GenerateDataKey* and kms:Decrypt"), nil)
		return rule
	}
	// The topic policy exists before the rule that publishes through it (the
	// key policy is part of the key, which the topic already refers to).
	if policy := topic.Node().TryFindChild(jsii.String("Policy")); policy != nil {
		rule.Node().AddDependency(policy)
	}
	return rule
}

// ruleTarget is an SNS topic as a notification rule target. The CDK's own
// binding (Topic.bindAsNotificationRuleTarget) grants the service publish
// and key use without a condition: any account's notification rule could
// then publish to the topic.
type ruleTarget struct {
	topic awssns.ITopic
}

const notificationsService = "codestar-notifications.amazonaws.com"

func (t *ruleTarget) BindAsNotificationRuleTarget(scope constructs.Construct) *awscodestarnotifications.NotificationRuleTargetConfig {
	stack := awscdk.Stack_Of(scope)
	ownRules := &map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
		"ArnLike": map[string]any{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("codestar-notifications"),
			Resource:     jsii.String("notificationrule"),
			ResourceName: jsii.String("*"),
			ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})},
	}
	t.topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CodeStarNotificationsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(notificationsService), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*t.topic.TopicArn()),
		Conditions: ownRules,
	}))
	if key := t.topic.MasterKey(); key != nil {
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CodeStarNotificationsUseKey"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(notificationsService), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
			Resources:  jsii.Strings("*"),
			Conditions: ownRules,
		}), jsii.Bool(true))
	}
	return &awscodestarnotifications.NotificationRuleTargetConfig{
		TargetType:    jsii.String("SNS"),
		TargetAddress: t.topic.TopicArn(),
	}
}
