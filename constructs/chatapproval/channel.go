package chatapproval

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awschatbot"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodestarnotifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// ChannelProps configures a Channel. Pipeline and exactly one of Slack and
// Teams are required.
type ChannelProps struct {
	// Pipeline whose manual approvals the channel shows.
	Pipeline awscodepipeline.IPipeline
	// Approvals are the approval actions members of the channel may answer.
	// Default: every manual approval action of Pipeline when it is an
	// awscodepipeline.Pipeline of this app, as built when NewChannel is
	// called (create the Channel after the pipeline's stages).
	Approvals *[]*ApprovalAction
	// Slack is a channel of a Slack workspace authorized with AWS Chatbot.
	// Default: none (then Teams is required).
	Slack *SlackChannel
	// Teams is a channel of a Microsoft Teams team authorized with AWS
	// Chatbot.
	// Default: none (then Slack is required).
	Teams *TeamsChannel
	// ConfigurationName is the Chatbot configuration's name, unique in the
	// account across Regions (1-128 letters, digits, '-' and '_').
	// Default: "<stack name>-<construct's path in the stack>-<stack's Region>".
	ConfigurationName *string
	// AnswerFromChannel lets members of the channel approve or reject the
	// Approvals. With false, the channel only shows the requests.
	// Default: true.
	AnswerFromChannel *bool
}

// ApprovalAction names a manual approval action of the pipeline.
type ApprovalAction struct {
	// StageName of the stage holding the action.
	StageName *string
	// ActionName of the approval action.
	// Default: "Approve".
	ActionName *string
}

// SlackChannel names a Slack channel by its ids.
type SlackChannel struct {
	// WorkspaceID of the Slack workspace, such as T0123ABCD, as shown in the
	// AWS Chatbot console once the workspace is authorized.
	WorkspaceID *string
	// ChannelID of the channel, such as C0123ABCD (the end of the channel's
	// link). Invite the AWS Chatbot app to a private channel.
	ChannelID *string
}

// TeamsChannel names a Microsoft Teams channel by its ids.
type TeamsChannel struct {
	// TenantID of the Microsoft Entra tenant (a UUID).
	TenantID *string
	// TeamID of the team (a UUID), as shown in the AWS Chatbot console once
	// the team is authorized.
	TeamID *string
	// ChannelID of the channel, "19:...@thread.tacv2" or URL-encoded as
	// Teams' "Copy link" gives it.
	ChannelID *string
}

// Channel is a Chatbot channel configuration that shows a pipeline's manual
// approval requests and lets the channel's members answer them.
type Channel struct {
	constructs.Construct
	role   awsiam.Role
	policy awsiam.ManagedPolicy
	slack  awschatbot.SlackChannelConfiguration
	teams  awschatbot.CfnMicrosoftTeamsChannelConfiguration
	rule   awscodestarnotifications.NotificationRule
}

// ApprovalEvents are the CodeStar Notifications event type ids the channel
// receives: an approval is waiting, was approved, was rejected (or timed
// out). Each call returns a new slice.
func ApprovalEvents() []string {
	return []string{
		"codepipeline-pipeline-manual-approval-needed",
		"codepipeline-pipeline-manual-approval-succeeded",
		"codepipeline-pipeline-manual-approval-failed",
	}
}

const defaultActionName = "Approve"

var reConfigurationName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// NewChannel creates the channel's role and guardrail, the Chatbot
// configuration and the notification rule that feeds it.
func NewChannel(scope constructs.Construct, id string, props *ChannelProps) *Channel {
	var p ChannelProps
	if props != nil {
		p = *props
	}
	c := &Channel{}
	constructs.NewConstruct_Override(c, scope, &id)
	p = p.withDefaults()
	propcheck.Report(c, p.validate(awscdk.Stack_Of(c).Region()))

	c.role = awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("chatbot.amazonaws.com"), nil),
		Description: jsii.String("AWS Chatbot channel: reads the pipeline's state and answers its manual approvals"),
	})
	c.policy = awsiam.NewManagedPolicy(c, jsii.String("Permissions"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("What the approval channel's members can do: read the pipeline's state, answer its manual approvals"),
		Statements:  p.statements(),
		Roles:       &[]awsiam.IRole{c.role},
	})
	name := p.ConfigurationName
	if name == nil {
		name = c.defaultName()
	}
	var target awscodestarnotifications.INotificationRuleTarget
	if p.Slack != nil {
		c.slack = awschatbot.NewSlackChannelConfiguration(c, jsii.String("Resource"), &awschatbot.SlackChannelConfigurationProps{
			SlackChannelConfigurationName: name,
			SlackWorkspaceId:              p.Slack.WorkspaceID,
			SlackChannelId:                p.Slack.ChannelID,
			Role:                          c.role,
			// The guardrail caps the channel's role and any member's own
			// role at the same permissions (the default is
			// AdministratorAccess).
			GuardrailPolicies: &[]awsiam.IManagedPolicy{c.policy},
			UserRoleRequired:  jsii.Bool(false),
		})
		target = c.slack
	} else {
		c.teams = awschatbot.NewCfnMicrosoftTeamsChannelConfiguration(c, jsii.String("Resource"), &awschatbot.CfnMicrosoftTeamsChannelConfigurationProps{
			ConfigurationName: name,
			TeamsTenantId:     p.Teams.TenantID,
			TeamId:            p.Teams.TeamID,
			TeamsChannelId:    p.Teams.ChannelID,
			IamRoleArn:        c.role.RoleArn(),
			GuardrailPolicies: jsii.Strings(*c.policy.ManagedPolicyArn()),
			UserRoleRequired:  jsii.Bool(false),
		})
		target = &teamsTarget{arn: c.teams.AttrArn()}
	}
	c.rule = awscodestarnotifications.NewNotificationRule(c, jsii.String("Notifications"), &awscodestarnotifications.NotificationRuleProps{
		Source:     p.Pipeline,
		Events:     jsii.Strings(ApprovalEvents()...),
		DetailType: awscodestarnotifications.DetailType_FULL,
		Targets:    &[]awscodestarnotifications.INotificationRuleTarget{target},
	})
	return c
}

// withDefaults fills the approvals from the pipeline's stages and the
// action names, and puts a Teams channel id in the form Chatbot expects.
func (p ChannelProps) withDefaults() ChannelProps {
	if p.Approvals == nil {
		p.Approvals = approvalsOf(p.Pipeline)
	}
	approvals := make([]*ApprovalAction, 0, len(*p.Approvals))
	for _, a := range *p.Approvals {
		if a == nil {
			continue
		}
		a := *a
		if a.ActionName == nil {
			a.ActionName = jsii.String(defaultActionName)
		}
		approvals = append(approvals, &a)
	}
	p.Approvals = &approvals
	if p.AnswerFromChannel == nil {
		p.AnswerFromChannel = jsii.Bool(true)
	}
	if p.Teams != nil && p.Teams.ChannelID != nil && !*awscdk.Token_IsUnresolved(p.Teams.ChannelID) {
		t := *p.Teams
		if encoded, ok := TeamsChannelID(*t.ChannelID); ok {
			t.ChannelID = jsii.String(encoded)
		}
		p.Teams = &t
	}
	return p
}

// approvalsOf lists the manual approval actions of a pipeline built in this
// app; an imported pipeline has no stages to read.
func approvalsOf(pipeline awscodepipeline.IPipeline) *[]*ApprovalAction {
	built, ok := pipeline.(awscodepipeline.Pipeline)
	if !ok {
		return &[]*ApprovalAction{}
	}
	var out []*ApprovalAction
	for _, stage := range *built.Stages() {
		for _, action := range *stage.Actions() {
			props := action.ActionProperties()
			if props.Category == awscodepipeline.ActionCategory_APPROVAL {
				out = append(out, &ApprovalAction{StageName: stage.StageName(), ActionName: props.ActionName})
			}
		}
	}
	return &out
}

func (p ChannelProps) validate(region *string) error {
	var errs []error
	if p.Pipeline == nil {
		errs = append(errs, propcheck.Missing("Pipeline", "the pipeline whose approvals the channel shows"))
	}
	switch {
	case p.Slack == nil && p.Teams == nil:
		errs = append(errs, propcheck.Blocking(errors.New("Slack: got none and no Teams, want exactly one of the two")))
	case p.Slack != nil && p.Teams != nil:
		errs = append(errs, propcheck.Blocking(errors.New("Teams: got a channel besides Slack, want exactly one of the two (make a Channel for each)")))
	case p.Slack != nil:
		errs = append(errs, p.Slack.validate()...)
	default:
		errs = append(errs, p.Teams.validate()...)
	}
	if p.Pipeline != nil && len(*p.Approvals) == 0 {
		errs = append(errs, errors.New("Approvals: got none, want at least one manual approval action of Pipeline (create the Channel after the pipeline's stages, or name them)"))
	}
	for _, a := range *p.Approvals {
		if a.StageName == nil {
			errs = append(errs, errors.New("Approvals: got an action without a StageName, want the name of the stage holding it"))
		}
	}
	if n := p.ConfigurationName; n != nil && !*awscdk.Token_IsUnresolved(n) && !reConfigurationName.MatchString(*n) {
		errs = append(errs, fmt.Errorf("ConfigurationName: got %q, want 1-128 letters, digits, '-' or '_'", *n))
	}
	// The CloudFormation types exist in neither partition (the CloudFormation
	// resource specification of those Regions).
	if r := region; r != nil && !*awscdk.Token_IsUnresolved(r) && (strings.HasPrefix(*r, "cn-") || strings.HasPrefix(*r, "us-gov-")) {
		errs = append(errs, fmt.Errorf("stack Region: got %q, want a Region where AWS Chatbot is available (not the China or AWS GovCloud (US) Regions)", *r))
	}
	return errors.Join(errs...)
}

func (s *SlackChannel) validate() []error {
	var errs []error
	if s.WorkspaceID == nil {
		errs = append(errs, propcheck.Missing("Slack.WorkspaceID", "a Slack workspace id such as T0123ABCD"))
	} else if !*awscdk.Token_IsUnresolved(s.WorkspaceID) && !ValidSlackWorkspaceID(*s.WorkspaceID) {
		errs = append(errs, fmt.Errorf("Slack.WorkspaceID: got %q, want a Slack workspace id such as T0123ABCD", *s.WorkspaceID))
	}
	if s.ChannelID == nil {
		errs = append(errs, propcheck.Missing("Slack.ChannelID", "a Slack channel id such as C0123ABCD"))
	} else if !*awscdk.Token_IsUnresolved(s.ChannelID) && !ValidSlackChannelID(*s.ChannelID) {
		errs = append(errs, fmt.Errorf("Slack.ChannelID: got %q, want a Slack channel id such as C0123ABCD (not the channel's name)", *s.ChannelID))
	}
	return errs
}

func (t *TeamsChannel) validate() []error {
	var errs []error
	for _, f := range []struct {
		name string
		v    *string
	}{{"Teams.TenantID", t.TenantID}, {"Teams.TeamID", t.TeamID}} {
		if f.v == nil {
			errs = append(errs, propcheck.Missing(f.name, "a UUID"))
		} else if !*awscdk.Token_IsUnresolved(f.v) && !ValidTeamsID(*f.v) {
			errs = append(errs, fmt.Errorf("%s: got %q, want a UUID such as 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", f.name, *f.v))
		}
	}
	if t.ChannelID == nil {
		errs = append(errs, propcheck.Missing("Teams.ChannelID", "a channel id such as 19:abc123@thread.tacv2"))
	} else if !*awscdk.Token_IsUnresolved(t.ChannelID) {
		if _, ok := TeamsChannelID(*t.ChannelID); !ok {
			errs = append(errs, fmt.Errorf("Teams.ChannelID: got %q, want a channel id such as 19:abc123@thread.tacv2 (or its URL-encoded form 19%%3aabc123%%40thread.tacv2)", *t.ChannelID))
		}
	}
	return errs
}

// statements are the channel's permissions, after the actions
// "grantManualApproval" grants in aws-cdk-lib (codepipeline-actions), minus
// codepipeline:ListPipelines on "*": members name the pipeline. The
// resource of PutApprovalResult is the action,
// <pipeline ARN>/<stage>/<action> ("Actions, resources, and condition keys
// for AWS CodePipeline", Service Authorization Reference).
func (p ChannelProps) statements() *[]awsiam.PolicyStatement {
	if p.Pipeline == nil {
		return &[]awsiam.PolicyStatement{}
	}
	arn := *p.Pipeline.PipelineArn()
	out := []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadPipelineState"),
		Actions:   jsii.Strings("codepipeline:GetPipelineState", "codepipeline:GetPipelineExecution"),
		Resources: jsii.Strings(arn),
	})}
	if !*p.AnswerFromChannel || len(*p.Approvals) == 0 {
		return &out
	}
	var actions []string
	for _, a := range *p.Approvals {
		if a.StageName != nil {
			actions = append(actions, arn+"/"+*a.StageName+"/"+*a.ActionName)
		}
	}
	out = append(out, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AnswerApprovals"),
		Actions:   jsii.Strings("codepipeline:PutApprovalResult"),
		Resources: jsii.Strings(actions...),
	}))
	return &out
}

// defaultName is "<stack name>-<path in the stack>-<Region>": configuration
// names are unique in an account across Regions, and stack names in an
// account and Region. A long name is cut and ends in a hash of the whole.
func (c *Channel) defaultName() *string {
	stack := awscdk.Stack_Of(c)
	base := *awscdk.Names_StackRelativeConstructPath(c)
	if name := stack.StackName(); !*awscdk.Token_IsUnresolved(name) {
		base = *name + "-" + base
	}
	base = reNameChars.ReplaceAllString(base, "-")
	if len(base) > maxBaseName {
		sum := sha256.Sum256([]byte(base))
		base = base[:maxBaseName-9] + "-" + hex.EncodeToString(sum[:4])
	}
	return awscdk.Fn_Join(jsii.String("-"), jsii.Strings(base, *stack.Region()))
}

// maxBaseName leaves room for "-" and the longest Region name within the
// 128 characters of a name.
const maxBaseName = 100

var reNameChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// teamsTarget is a Microsoft Teams channel configuration as a notification
// rule target (the CDK has no L2 for it).
type teamsTarget struct{ arn *string }

func (t *teamsTarget) BindAsNotificationRuleTarget(constructs.Construct) *awscodestarnotifications.NotificationRuleTargetConfig {
	return &awscodestarnotifications.NotificationRuleTargetConfig{
		TargetType:    jsii.String("AWSChatbotMicrosoftTeams"),
		TargetAddress: t.arn,
	}
}

// Role is the channel's role, assumed by AWS Chatbot.
func (c *Channel) Role() awsiam.IRole { return c.role }

// Permissions is the role's policy, also the channel's guardrail.
func (c *Channel) Permissions() awsiam.IManagedPolicy { return c.policy }

// Slack is the Slack configuration; nil for a Teams channel.
func (c *Channel) Slack() awschatbot.SlackChannelConfiguration { return c.slack }

// Teams is the Microsoft Teams configuration; nil for a Slack channel.
func (c *Channel) Teams() awschatbot.CfnMicrosoftTeamsChannelConfiguration { return c.teams }

// NotificationRule sends the pipeline's approval events to the channel.
func (c *Channel) NotificationRule() awscodestarnotifications.INotificationRule { return c.rule }
