package test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shipline/shipline/constructs/chatapproval"
)

const (
	testTeamsTenant = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	testTeamsTeam   = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
)

// TestChatApprovals reads the template of the variant with a Slack and a
// Teams channel: each gets the approval events of the pipeline, and its
// role, capped by the same guardrail, may answer exactly the pipeline's two
// approval actions (the approval stage and production's).
func TestChatApprovals(t *testing.T) {
	i := slices.IndexFunc(stackVariants, func(v stackVariant) bool { return v.name == "chatApprovals" })
	r := synthVariant(t, stackVariants[i]) // with its settings, whichever test synthesizes it first
	pipelines := resourcesOf(r.tmpl, "AWS::CodePipeline::Pipeline")
	if len(pipelines) != 1 {
		t.Fatalf("%d pipelines, want 1", len(pipelines))
	}
	pipeline := pipelines[0].ID

	rules := resourcesOf(r.tmpl, "AWS::CodeStarNotifications::NotificationRule")
	targets := map[string]bool{}
	for _, rule := range rules {
		props := rule.Body["Properties"].(map[string]any)
		events := strings.Join(toStrings(props["EventTypeIds"]), ",")
		if events != strings.Join(chatapproval.ApprovalEvents(), ",") {
			continue // the approval topic's rule
		}
		if !refersTo(props["Resource"], pipeline) {
			t.Errorf("rule %s is not on the pipeline: %s", rule.ID, jsonOf(props["Resource"]))
		}
		for _, tg := range props["Targets"].([]any) {
			targets[tg.(map[string]any)["TargetType"].(string)] = true
		}
	}
	if !targets["AWSChatbotSlack"] || !targets["AWSChatbotMicrosoftTeams"] {
		t.Errorf("approval events reach %v, want both AWSChatbotSlack and AWSChatbotMicrosoftTeams", targets)
	}

	configs := append(resourcesOf(r.tmpl, "AWS::Chatbot::SlackChannelConfiguration"), resourcesOf(r.tmpl, "AWS::Chatbot::MicrosoftTeamsChannelConfiguration")...)
	if len(configs) != 2 {
		t.Fatalf("%d chat configurations, want 2", len(configs))
	}
	for _, c := range configs {
		props := c.Body["Properties"].(map[string]any)
		guard := toRefs(props["GuardrailPolicies"])
		if len(guard) != 1 {
			t.Fatalf("%s: guardrail policies %v, want the one policy of its role", c.ID, props["GuardrailPolicies"])
		}
		policy := r.tmpl["Resources"].(map[string]any)[guard[0]].(map[string]any)["Properties"].(map[string]any)
		role := props["IamRoleArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
		if got := toRefs(policy["Roles"]); !slices.Equal(got, []string{role}) {
			t.Errorf("%s: guardrail attached to %v, want its role %s", c.ID, got, role)
		}
		doc := jsonOf(policy["PolicyDocument"])
		if !refersTo(policy["PolicyDocument"], pipeline) {
			t.Errorf("%s: guardrail does not name the pipeline: %s", c.ID, doc)
		}
		checkChannelPermissions(t, c.ID, r.tmpl, policy["PolicyDocument"], pipeline)
	}
}

// checkChannelPermissions evaluates the channel's policy: the two approval
// actions of this pipeline can be answered and its state read; nothing else
// of this pipeline or of another one can be done.
func checkChannelPermissions(t *testing.T, id string, tmpl map[string]any, document any, pipeline string) {
	t.Helper()
	var statements []map[string]any
	doc, _ := resolve(tmpl, document).(map[string]any)
	for _, st := range doc["Statement"].([]any) {
		statements = append(statements, st.(map[string]any))
	}
	arn := fmt.Sprintf("arn:aws:codepipeline:eu-west-1:%s:%s", testPipelineAccount, pipeline)
	other := fmt.Sprintf("arn:aws:codepipeline:eu-west-1:%s:other", testPipelineAccount)
	for _, tc := range []struct {
		req  request
		want bool
	}{
		{request{Action: "codepipeline:PutApprovalResult", Resource: arn + "/Approval/Approve"}, true},
		{request{Action: "codepipeline:PutApprovalResult", Resource: arn + "/Approve-production/Approve"}, true},
		{request{Action: "codepipeline:GetPipelineState", Resource: arn}, true},
		{request{Action: "codepipeline:PutApprovalResult", Resource: arn + "/Deploy-staging/Deploy"}, false},
		{request{Action: "codepipeline:PutApprovalResult", Resource: other + "/Approval/Approve"}, false},
		{request{Action: "codepipeline:GetPipelineState", Resource: other}, false},
		{request{Action: "codepipeline:StartPipelineExecution", Resource: arn}, false},
		{request{Action: "codepipeline:RetryStageExecution", Resource: arn + "/Deploy-production"}, false},
		{request{Action: "codepipeline:UpdatePipeline", Resource: arn}, false},
		{request{Action: "iam:PassRole", Resource: "*"}, false},
	} {
		if got, why := allowed(statements, tc.req); got != tc.want {
			t.Errorf("%s: %s: allowed = %v (%s), want %v", id, tc.req, got, why, tc.want)
		}
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// toRefs lists the logical ids of a list of {"Ref": id}.
func toRefs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, fmt.Sprint(m["Ref"]))
		}
	}
	return out
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
