package config

import (
	"strings"

	"github.com/shipline/shipline/constructs/chatapproval"
)

// SlackChannel is the Slack channel that shows the approvals.
type SlackChannel struct {
	// WorkspaceID is the Slack workspace authorized with AWS Chatbot, such
	// as T0123ABCD.
	WorkspaceID string
	// ChannelID is the channel, such as C0123ABCD.
	ChannelID string
}

// TeamsChannel is the Microsoft Teams channel that shows the approvals.
type TeamsChannel struct {
	// TenantID and TeamID are UUIDs; the team is authorized with AWS Chatbot.
	TenantID, TeamID string
	// ChannelID is "19:...@thread.tacv2", URL-encoded as Chatbot expects
	// ("19%3a...%40thread.tacv2") when read from the context.
	ChannelID string
}

// Chat settings, each named in the errors of the others.
const (
	keySlackWorkspace = "approvalSlackWorkspaceId"
	keySlackChannel   = "approvalSlackChannelId"
	keyTeamsTenant    = "approvalTeamsTenantId"
	keyTeamsTeam      = "approvalTeamsTeamId"
	keyTeamsChannel   = "approvalTeamsChannelId"
)

const (
	wantSlackWorkspace = "a Slack workspace id such as T0123ABCD (shown in the AWS Chatbot console once the workspace is authorized)"
	wantSlackChannel   = "a Slack channel id such as C0123ABCD (the end of the channel's link, not its name)"
	wantTeamsID        = "a UUID such as 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d (shown in the AWS Chatbot console once the team is authorized)"
	wantTeamsChannel   = "a channel id such as 19:abc123@thread.tacv2, or URL-encoded as Teams' \"Copy link\" gives it (19%3aabc123%40thread.tacv2)"
)

// chatChannels pairs the chat settings into channels: the ids of one
// channel are given together or not at all. A Teams channel id is put in
// the URL-encoded form here, once.
func (b *builder) chatChannels() []error {
	var errs []error
	slack := map[string]string{keySlackWorkspace: b.slackWorkspace, keySlackChannel: b.slackChannel}
	if missing := missingOf(slack); len(missing) == 0 {
		b.c.ApprovalSlack = &SlackChannel{WorkspaceID: b.slackWorkspace, ChannelID: b.slackChannel}
	} else if len(missing) < len(slack) {
		for _, k := range missing {
			errs = append(errs, bad(k, "", "a value: a Slack channel needs both %s and %s", keySlackWorkspace, keySlackChannel))
		}
	}
	teams := map[string]string{keyTeamsTenant: b.teamsTenant, keyTeamsTeam: b.teamsTeam, keyTeamsChannel: b.teamsChannel}
	if missing := missingOf(teams); len(missing) == 0 {
		channel := b.teamsChannel
		if encoded, ok := chatapproval.TeamsChannelID(channel); ok {
			channel = encoded
		}
		b.c.ApprovalTeams = &TeamsChannel{TenantID: b.teamsTenant, TeamID: b.teamsTeam, ChannelID: channel}
	} else if len(missing) < len(teams) {
		for _, k := range missing {
			errs = append(errs, bad(k, "", "a value: a Microsoft Teams channel needs %s, %s and %s", keyTeamsTenant, keyTeamsTeam, keyTeamsChannel))
		}
	}
	return errs
}

// missingOf lists the keys without a value, in the order of the settings.
func missingOf(values map[string]string) []string {
	var out []string
	for _, s := range settings {
		if v, ok := values[s.Key]; ok && v == "" {
			out = append(out, s.Key)
		}
	}
	return out
}

// checkChat checks the ids of the approval channels, and that AWS Chatbot
// exists where the stack goes: not in the China or AWS GovCloud (US)
// Regions (CloudFormation has no Chatbot resources there).
func checkChat(c *Config) []error {
	var p problems
	first := ""
	if s := c.ApprovalSlack; s != nil {
		first = keySlackWorkspace
		if !chatapproval.ValidSlackWorkspaceID(s.WorkspaceID) {
			p.add(bad(keySlackWorkspace, s.WorkspaceID, "%s", wantSlackWorkspace))
		}
		if !chatapproval.ValidSlackChannelID(s.ChannelID) {
			p.add(bad(keySlackChannel, s.ChannelID, "%s", wantSlackChannel))
		}
	}
	if t := c.ApprovalTeams; t != nil {
		if first == "" {
			first = keyTeamsTenant
		}
		if !chatapproval.ValidTeamsID(t.TenantID) {
			p.add(bad(keyTeamsTenant, t.TenantID, "%s", wantTeamsID))
		}
		if !chatapproval.ValidTeamsID(t.TeamID) {
			p.add(bad(keyTeamsTeam, t.TeamID, "%s", wantTeamsID))
		}
		if _, ok := chatapproval.TeamsChannelID(t.ChannelID); !ok {
			p.add(bad(keyTeamsChannel, t.ChannelID, "%s", wantTeamsChannel))
		}
	}
	if first == "" {
		return p
	}
	if where := chatlessPlace(c); where != "" {
		p.add(bad(first, chatValue(c, first), "no value with %s: AWS Chatbot is not available in the China and AWS GovCloud (US) Regions", where))
	}
	return p
}

// chatlessPlace names the setting that puts the stack where Chatbot is not.
func chatlessPlace(c *Config) string {
	if strings.HasPrefix(c.Region, "cn-") || strings.HasPrefix(c.Region, "us-gov-") {
		return "region " + c.Region
	}
	for _, a := range []struct{ setting, value string }{{"connectionArn", c.ConnectionArn}, {"approvalTopicArn", c.ApprovalTopicArn}} {
		if parsed, ok := parseArn(a.value); ok && parsed.partition != "aws" {
			return a.setting + " in partition " + parsed.partition
		}
	}
	return ""
}

func chatValue(c *Config, key string) string {
	if key == keySlackWorkspace {
		return c.ApprovalSlack.WorkspaceID
	}
	return c.ApprovalTeams.TenantID
}
