package chatapproval_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/chatapproval"
	"github.com/shipline/shipline/internal/cdktest"
)

const (
	tenant      = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	team        = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
	teamsPlain  = "19:b6ef35dc342d56ba5654e6fc6d25a071@thread.tacv2"
	teamsCopied = "19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2"
)

// pipelineWithApprovals is a pipeline whose stages hold the named approval
// actions (stage name → action name), after a source stage.
func pipelineWithApprovals(stack awscdk.Stack, approvals ...[2]string) awscodepipeline.Pipeline {
	bucket := awss3.NewBucket(stack, jsii.String("Src"), nil)
	out := awscodepipeline.NewArtifact(jsii.String("Src"), nil)
	p := awscodepipeline.NewPipeline(stack, jsii.String("P"), &awscodepipeline.PipelineProps{PipelineType: awscodepipeline.PipelineType_V2})
	p.AddStage(&awscodepipeline.StageOptions{StageName: jsii.String("Source"), Actions: &[]awscodepipeline.IAction{
		awscodepipelineactions.NewS3SourceAction(&awscodepipelineactions.S3SourceActionProps{
			ActionName: jsii.String("S3"), Bucket: bucket, BucketKey: jsii.String("src.zip"), Output: out,
		}),
	}})
	for _, a := range approvals {
		p.AddStage(&awscodepipeline.StageOptions{StageName: jsii.String(a[0]), Actions: &[]awscodepipeline.IAction{
			awscodepipelineactions.NewManualApprovalAction(&awscodepipelineactions.ManualApprovalActionProps{ActionName: jsii.String(a[1])}),
		}})
	}
	return p
}

var pipelineArn = map[string]any{"Fn::Join": []any{"", assertions.Match_AnyValue()}}

func TestSlackChannel(t *testing.T) {
	stack := cdktest.NewStack()
	p := pipelineWithApprovals(stack, [2]string{"Approval", "Approve"}, [2]string{"Approve-production", "Approve"})
	c := chatapproval.NewChannel(stack, "Chat", &chatapproval.ChannelProps{
		Pipeline: p,
		Slack:    &chatapproval.SlackChannel{WorkspaceID: jsii.String("T0123ABCD"), ChannelID: jsii.String("C0123ABCD")},
	})
	tmpl := assertions.Template_FromStack(stack, nil)

	policy := map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ChatPermissions"))}
	tmpl.HasResourceProperties(jsii.String("AWS::Chatbot::SlackChannelConfiguration"), map[string]any{
		"SlackWorkspaceId":  "T0123ABCD",
		"SlackChannelId":    "C0123ABCD",
		"IamRoleArn":        map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^ChatRole")), "Arn"}},
		"GuardrailPolicies": []any{policy},
		"UserRoleRequired":  false,
	})
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
		"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "chatbot.amazonaws.com"},
		}}},
	})
	// The role's only policy is the guardrail: reading the pipeline's state
	// and answering each approval action, by its ARN.
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::ManagedPolicy"), map[string]any{
		"Roles": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ChatRole"))}},
		"PolicyDocument": map[string]any{"Statement": []any{
			map[string]any{"Sid": "ReadPipelineState", "Effect": "Allow", "Action": []any{"codepipeline:GetPipelineExecution", "codepipeline:GetPipelineState"}, "Resource": pipelineArn},
			map[string]any{"Sid": "AnswerApprovals", "Effect": "Allow", "Action": "codepipeline:PutApprovalResult", "Resource": []any{
				map[string]any{"Fn::Join": []any{"", assertions.Match_ArrayWith(&[]any{"/Approval/Approve"})}},
				map[string]any{"Fn::Join": []any{"", assertions.Match_ArrayWith(&[]any{"/Approve-production/Approve"})}},
			}},
		}},
	})
	for id, pol := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::IAM::Policy") {
		if roles := fmt.Sprint(pol["Properties"].(map[string]any)["Roles"]); strings.Contains(roles, "ChatRole") {
			t.Errorf("policy %s is attached to the channel's role beside the guardrail: %s", id, roles)
		}
	}
	tmpl.HasResourceProperties(jsii.String("AWS::CodeStarNotifications::NotificationRule"), map[string]any{
		"EventTypeIds": chatapproval.ApprovalEvents(),
		"DetailType":   "FULL",
		"Resource":     pipelineArn,
		"Targets":      []any{map[string]any{"TargetType": "AWSChatbotSlack", "TargetAddress": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Chat"))}}},
	})
	if c.Slack() == nil || c.Teams() != nil || c.Role() == nil || c.Permissions() == nil || c.NotificationRule() == nil {
		t.Error("getters: want Slack, Role, Permissions and NotificationRule set, Teams nil")
	}
}

func TestTeamsChannel(t *testing.T) {
	for _, id := range []string{teamsPlain, teamsCopied, "19%3Ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2"} {
		t.Run(id, func(t *testing.T) {
			stack := cdktest.NewStack()
			c := chatapproval.NewChannel(stack, "Chat", &chatapproval.ChannelProps{
				Pipeline: pipelineWithApprovals(stack, [2]string{"Approval", "Approve"}),
				Teams:    &chatapproval.TeamsChannel{TenantID: jsii.String(tenant), TeamID: jsii.String(team), ChannelID: jsii.String(id)},
			})
			tmpl := assertions.Template_FromStack(stack, nil)
			tmpl.HasResourceProperties(jsii.String("AWS::Chatbot::MicrosoftTeamsChannelConfiguration"), map[string]any{
				"TeamsTenantId":     tenant,
				"TeamId":            team,
				"TeamsChannelId":    teamsCopied,
				"IamRoleArn":        map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^ChatRole")), "Arn"}},
				"GuardrailPolicies": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ChatPermissions"))}},
			})
			tmpl.HasResourceProperties(jsii.String("AWS::CodeStarNotifications::NotificationRule"), map[string]any{
				"Targets": []any{map[string]any{"TargetType": "AWSChatbotMicrosoftTeams", "TargetAddress": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Chat")), "Arn"}}}},
			})
			if c.Teams() == nil || c.Slack() != nil {
				t.Error("getters: want Teams set, Slack nil")
			}
		})
	}
}

// TestConfigurationName: names are unique per account across Regions, so
// the default holds the stack's Region.
func TestConfigurationName(t *testing.T) {
	app := cdktest.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Eu"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")}})
	chatapproval.NewChannel(stack, "Chat", &chatapproval.ChannelProps{
		Pipeline: pipelineWithApprovals(stack, [2]string{"Approval", "Approve"}),
		Slack:    &chatapproval.SlackChannel{WorkspaceID: jsii.String("T0123ABCD"), ChannelID: jsii.String("C0123ABCD")},
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::Chatbot::SlackChannelConfiguration"), map[string]any{
		"ConfigurationName": "Eu-Chat-eu-west-1",
	})

	// The stack's name, not its id; a long name is cut and made unique by
	// a hash; an environment-agnostic stack's Region is resolved at deploy.
	app = cdktest.NewApp(nil)
	stack = awscdk.NewStack(app, jsii.String("Pipeline"), &awscdk.StackProps{StackName: jsii.String("web-prod")})
	parent := constructs.NewConstruct(stack, jsii.String(strings.Repeat("Nested", 20)))
	chatapproval.NewChannel(parent, "Chat", &chatapproval.ChannelProps{
		Pipeline: pipelineWithApprovals(stack, [2]string{"Approval", "Approve"}),
		Slack:    &chatapproval.SlackChannel{WorkspaceID: jsii.String("T0123ABCD"), ChannelID: jsii.String("C0123ABCD")},
	})
	chatapproval.NewChannel(stack, "Chat", &chatapproval.ChannelProps{
		Pipeline:  awscodepipeline.Pipeline_FromPipelineArn(stack, jsii.String("Other"), jsii.String("arn:aws:codepipeline:eu-west-1:123456789012:web")),
		Approvals: &[]*chatapproval.ApprovalAction{{StageName: jsii.String("Approval")}},
		Slack:     &chatapproval.SlackChannel{WorkspaceID: jsii.String("T0123ABCD"), ChannelID: jsii.String("C0123ABCD")},
	})
	var names []string
	for _, r := range cdktest.Resources(cdktest.JSON(assertions.Template_FromStack(stack, nil)), "AWS::Chatbot::SlackChannelConfiguration") {
		join := r["Properties"].(map[string]any)["ConfigurationName"].(map[string]any)["Fn::Join"].([]any)
		parts := join[1].([]any)
		if join[0] != "-" || len(parts) != 2 || fmt.Sprint(parts[1]) != "map[Ref:AWS::Region]" {
			t.Errorf("ConfigurationName %v: want <base>-<AWS::Region>", join)
		}
		names = append(names, parts[0].(string))
	}
	slices.Sort(names)
	if len(names) != 2 || names[0] != "web-prod-Chat" || !regexp.MustCompile(`^web-prod-Nested[A-Za-z]+-[0-9a-f]{8}$`).MatchString(names[1]) || len(names[1]) != 100 {
		t.Errorf("configuration names %q, want web-prod-Chat and a 100-character web-prod-Nested...-<hash>", names)
	}

	stack = cdktest.NewStack()
	chatapproval.NewChannel(stack, "Chat", &chatapproval.ChannelProps{
		Pipeline:          pipelineWithApprovals(stack, [2]string{"Approval", "Approve"}),
		Slack:             &chatapproval.SlackChannel{WorkspaceID: jsii.String("T0123ABCD"), ChannelID: jsii.String("C0123ABCD")},
		ConfigurationName: jsii.String("web-approvals"),
	})
	assertions.Template_FromStack(stack, nil).HasResourceProperties(jsii.String("AWS::Chatbot::SlackChannelConfiguration"), map[string]any{
		"ConfigurationName": "web-approvals",
	})
}

// TestShowOnly: without AnswerFromChannel, members can read the pipeline's
// state but answer nothing, and the guardrail says the same.
func TestShowOnly(t *testing.T) {
	stack := cdktest.NewStack()
	chatapproval.NewChannel(stack, "Chat", &chatapproval.ChannelProps{
		Pipeline:          pipelineWithApprovals(stack, [2]string{"Approval", "Approve"}),
		Slack:             &chatapproval.SlackChannel{WorkspaceID: jsii.String("T0123ABCD"), ChannelID: jsii.String("C0123ABCD")},
		AnswerFromChannel: jsii.Bool(false),
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::ManagedPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{assertions.Match_ObjectLike(&map[string]any{"Sid": "ReadPipelineState"})}},
	})
}

// TestNamedApprovals: an imported pipeline has no stages to read; the
// approvals are named.
func TestNamedApprovals(t *testing.T) {
	stack := cdktest.NewStack()
	p := awscodepipeline.Pipeline_FromPipelineArn(stack, jsii.String("P"), jsii.String("arn:aws:codepipeline:eu-west-1:123456789012:web"))
	chatapproval.NewChannel(stack, "Chat", &chatapproval.ChannelProps{
		Pipeline:  p,
		Approvals: &[]*chatapproval.ApprovalAction{{StageName: jsii.String("Approval")}, {StageName: jsii.String("Gate"), ActionName: jsii.String("Sign")}},
		Slack:     &chatapproval.SlackChannel{WorkspaceID: jsii.String("T0123ABCD"), ChannelID: jsii.String("G0123ABCD")},
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::ManagedPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Sid": "AnswerApprovals", "Effect": "Allow", "Action": "codepipeline:PutApprovalResult",
			"Resource": []any{"arn:aws:codepipeline:eu-west-1:123456789012:web/Approval/Approve", "arn:aws:codepipeline:eu-west-1:123456789012:web/Gate/Sign"},
		}})},
	})
}

func TestChannelRejectsBadProps(t *testing.T) {
	slack := &chatapproval.SlackChannel{WorkspaceID: jsii.String("T0123ABCD"), ChannelID: jsii.String("C0123ABCD")}
	teams := &chatapproval.TeamsChannel{TenantID: jsii.String(tenant), TeamID: jsii.String(team), ChannelID: jsii.String(teamsPlain)}
	for _, tc := range []struct {
		name   string
		region string
		props  func(p awscodepipeline.IPipeline) *chatapproval.ChannelProps
		want   string
	}{
		{"no pipeline", "", func(awscodepipeline.IPipeline) *chatapproval.ChannelProps {
			return &chatapproval.ChannelProps{Slack: slack}
		}, "Pipeline: got nil"},
		{"no channel", "", func(p awscodepipeline.IPipeline) *chatapproval.ChannelProps {
			return &chatapproval.ChannelProps{Pipeline: p}
		}, "Slack: got none and no Teams, want exactly one"},
		{"two channels", "", func(p awscodepipeline.IPipeline) *chatapproval.ChannelProps {
			return &chatapproval.ChannelProps{Pipeline: p, Slack: slack, Teams: teams}
		}, "Teams: got a channel besides Slack"},
		{"slack channel name", "", func(p awscodepipeline.IPipeline) *chatapproval.ChannelProps {
			return &chatapproval.ChannelProps{Pipeline: p, Slack: &chatapproval.SlackChannel{WorkspaceID: jsii.String("T0123ABCD"), ChannelID: jsii.String("#deploys")}}
		}, `Slack.ChannelID: got "#deploys", want a Slack channel id such as C0123ABCD`},
		{"slack workspace lower case", "", func(p awscodepipeline.IPipeline) *chatapproval.ChannelProps {
			return &chatapproval.ChannelProps{Pipeline: p, Slack: &chatapproval.SlackChannel{WorkspaceID: jsii.String("t0123abcd"), ChannelID: jsii.String("C0123ABCD")}}
		}, `Slack.WorkspaceID: got "t0123abcd"`},
		{"teams channel a URL", "", func(p awscodepipeline.IPipeline) *chatapproval.ChannelProps {
			return &chatapproval.ChannelProps{Pipeline: p, Teams: &chatapproval.TeamsChannel{TenantID: jsii.String(tenant), TeamID: jsii.String(team), ChannelID: jsii.String("https://teams.microsoft.com/l/channel/" + teamsCopied + "/General")}}
		}, `Teams.ChannelID: got "https://teams.microsoft.com/l/channel/`},
		{"teams tenant not a uuid", "", func(p awscodepipeline.IPipeline) *chatapproval.ChannelProps {
			return &chatapproval.ChannelProps{Pipeline: p, Teams: &chatapproval.TeamsChannel{TenantID: jsii.String("contoso.onmicrosoft.com"), TeamID: jsii.String(team), ChannelID: jsii.String(teamsPlain)}}
		}, `Teams.TenantID: got "contoso.onmicrosoft.com", want a UUID`},
		{"configuration name", "", func(p awscodepipeline.IPipeline) *chatapproval.ChannelProps {
			return &chatapproval.ChannelProps{Pipeline: p, Slack: slack, ConfigurationName: jsii.String("web approvals")}
		}, `ConfigurationName: got "web approvals"`},
		{"imported pipeline without approvals", "", nil, "Approvals: got none"},
		{"china", "cn-north-1", func(p awscodepipeline.IPipeline) *chatapproval.ChannelProps {
			return &chatapproval.ChannelProps{Pipeline: p, Slack: slack}
		}, `stack Region: got "cn-north-1", want a Region where AWS Chatbot is available`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var env *awscdk.Environment
			if tc.region != "" {
				env = &awscdk.Environment{Region: jsii.String(tc.region)}
			}
			stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("TestStack"), &awscdk.StackProps{Env: env})
			var props *chatapproval.ChannelProps
			if tc.props == nil { // an imported pipeline: no stages to read
				p := awscodepipeline.Pipeline_FromPipelineArn(stack, jsii.String("P"), jsii.String("arn:aws:codepipeline:eu-west-1:123456789012:web"))
				props = &chatapproval.ChannelProps{Pipeline: p, Slack: slack}
			} else {
				props = tc.props(pipelineWithApprovals(stack, [2]string{"Approval", "Approve"}))
			}
			msg := cdktest.SynthFailure(stack, func() { chatapproval.NewChannel(stack, "Chat", props) })
			if !strings.Contains(msg, "[TestStack/Chat] "+tc.want) {
				t.Errorf("failure %q: want it to contain %q", msg, tc.want)
			}
		})
	}
}

func TestTeamsChannelID(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{teamsPlain, teamsCopied, true},
		{teamsCopied, teamsCopied, true},
		{"19:abc_DEF-1@thread.skype", "19%3aabc_DEF-1%40thread.skype", true},
		{"19:abc@thread.v2", "", false},
		{"abc@thread.tacv2", "", false},
		{"19:a b@thread.tacv2", "", false},
		{"General", "", false},
		{"", "", false},
	} {
		got, ok := chatapproval.TeamsChannelID(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("TeamsChannelID(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
