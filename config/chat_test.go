package config_test

import (
	"testing"

	"github.com/shipline/shipline/config"
)

// TestChatChannels: the chat settings become typed channels once, the Teams
// channel id in the URL-encoded form Chatbot expects whichever form was given.
func TestChatChannels(t *testing.T) {
	c, err := config.FromContext(js(
		"approvalSlackWorkspaceId", " T0123ABCD ", "approvalSlackChannelId", "C0123ABCD",
		"approvalTeamsTenantId", goodUUID, "approvalTeamsTeamId", goodUUID,
		"approvalTeamsChannelId", "19:b6ef35dc342d56ba5654e6fc6d25a071@thread.tacv2"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (config.SlackChannel{WorkspaceID: "T0123ABCD", ChannelID: "C0123ABCD"}); c.ApprovalSlack == nil || *c.ApprovalSlack != want {
		t.Errorf("ApprovalSlack = %+v, want %+v", c.ApprovalSlack, want)
	}
	if want := (config.TeamsChannel{TenantID: goodUUID, TeamID: goodUUID, ChannelID: goodTeamsChannel}); c.ApprovalTeams == nil || *c.ApprovalTeams != want {
		t.Errorf("ApprovalTeams = %+v, want %+v", c.ApprovalTeams, want)
	}
	d := config.Default()
	if d.ApprovalSlack != nil || d.ApprovalTeams != nil {
		t.Errorf("default config has chat channels: %+v %+v", d.ApprovalSlack, d.ApprovalTeams)
	}
}
