package test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/chatapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
)

var wantNotificationEvents = []string{
	"codepipeline-pipeline-pipeline-execution-failed",
	"codepipeline-pipeline-manual-approval-needed",
	"codepipeline-pipeline-pipeline-execution-succeeded",
}

// TestPipelineNotifications: failed, approval-needed and succeeded events go
// to the approval topic through a CodeStar Notifications rule, the topic
// policy lets the service publish, and the topic's key lets it encrypt, both
// for this account's notification rules only.
func TestPipelineNotifications(t *testing.T) {
	if strings.Join(releasepipeline.NotificationEvents(), ",") != strings.Join(wantNotificationEvents, ",") {
		t.Errorf("releasepipeline.NotificationEvents = %v, want %v", releasepipeline.NotificationEvents(), wantNotificationEvents)
	}
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		// The approval chat channels have rules of their own (chat_test.go).
		rules := slices.DeleteFunc(resourcesOf(r.tmpl, "AWS::CodeStarNotifications::NotificationRule"), func(c cfnResource) bool {
			return compact(c.props()["EventTypeIds"]) == compact(chatapproval.ApprovalEvents())
		})
		if len(rules) != 1 {
			t.Fatalf("%d notification rules, want 1", len(rules))
		}
		rule := rules[0].props()
		var events []string
		for _, e := range rule["EventTypeIds"].([]any) {
			events = append(events, e.(string))
		}
		if strings.Join(events, ",") != strings.Join(wantNotificationEvents, ",") {
			t.Errorf("EventTypeIds = %v, want %v", events, wantNotificationEvents)
		}
		pipelines := resourcesOf(r.tmpl, "AWS::CodePipeline::Pipeline")
		if len(pipelines) != 1 || !refersTo(rule["Resource"], pipelines[0].ID) {
			t.Errorf("rule Resource %s does not name the pipeline", compact(rule["Resource"]))
		}
		targets, _ := rule["Targets"].([]any)
		if len(targets) != 1 {
			t.Fatalf("rule targets %s, want the approval topic", compact(targets))
		}
		target := targets[0].(map[string]any)
		if target["TargetType"] != "SNS" {
			t.Errorf("TargetType %v, want SNS", target["TargetType"])
		}

		if arn, existing := r.variant.settings["approvalTopicArn"].(string); existing {
			if target["TargetAddress"] != arn {
				t.Errorf("TargetAddress %s, want the existing topic %s", compact(target["TargetAddress"]), arn)
			}
			// Its policies are not the stack's to change: the user is told.
			found := r.annotations.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("codestar-notifications.amazonaws.com")))
			if len(*found) == 0 {
				t.Error("no synth warning that the existing topic must allow codestar-notifications.amazonaws.com")
			}
			return
		}

		topics := resourcesOf(r.tmpl, "AWS::SNS::Topic")
		if len(topics) != 1 || !refersTo(target["TargetAddress"], topics[0].ID) {
			t.Fatalf("TargetAddress %s is not the approval topic", compact(target["TargetAddress"]))
		}
		topic := topics[0]
		var publishes, keyUse bool
		for _, st := range policyStatements(r.tmpl) {
			if st.Body["Effect"] != "Allow" || !strings.Contains(compact(st.Body["Principal"]), "codestar-notifications.amazonaws.com") {
				continue
			}
			// Only this account's notification rules, not any account's
			// rule through the shared service principal.
			cond := compact(st.Body["Condition"])
			// The account is a token, or a literal when the stack has one.
			if !sourceAccount.MatchString(cond) ||
				!strings.Contains(cond, `"aws:SourceArn"`) || !strings.Contains(cond, `:notificationrule/*`) {
				t.Errorf("a statement admits codestar-notifications.amazonaws.com without aws:SourceAccount and aws:SourceArn conditions: %s", compact(st.Body))
			}
			actions := strings.Join(st.Actions(), ",")
			if strings.Contains(actions, "sns:Publish") && refersTo(st.Body["Resource"], topic.ID) {
				publishes = true
			}
			if strings.Contains(actions, "kms:GenerateDataKey*") && strings.Contains(actions, "kms:Decrypt") && refersTo(topic.props()["KmsMasterKeyId"], st.Source) {
				keyUse = true
			}
		}
		if !publishes {
			t.Error("the topic policy does not let codestar-notifications.amazonaws.com publish")
		}
		if !keyUse {
			t.Error("the topic's KMS key policy does not let codestar-notifications.amazonaws.com use the key")
		}
	})
}

var sourceAccount = regexp.MustCompile(`"StringEquals":\{"aws:SourceAccount":(\{"Ref":"AWS::AccountId"\}|"[0-9]{12}")\}`)
