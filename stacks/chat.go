package stacks

import (
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/constructs/chatapproval"
)

// approvalChannels announces every manual approval of the pipeline (the
// approval stage and each environment's) in the configured Slack and
// Microsoft Teams channels, where their members can answer it.
func (s *PipelineStack) approvalChannels(cfg config.Config) []*chatapproval.Channel {
	var out []*chatapproval.Channel
	if c := cfg.ApprovalSlack; c != nil {
		out = append(out, chatapproval.NewChannel(s, "ApprovalSlack", &chatapproval.ChannelProps{
			Pipeline: s.Pipeline.Pipeline(),
			Slack:    &chatapproval.SlackChannel{WorkspaceID: jsii.String(c.WorkspaceID), ChannelID: jsii.String(c.ChannelID)},
		}))
	}
	if c := cfg.ApprovalTeams; c != nil {
		out = append(out, chatapproval.NewChannel(s, "ApprovalTeams", &chatapproval.ChannelProps{
			Pipeline: s.Pipeline.Pipeline(),
			Teams: &chatapproval.TeamsChannel{
				TenantID: jsii.String(c.TenantID), TeamID: jsii.String(c.TeamID), ChannelID: jsii.String(c.ChannelID),
			},
		}))
	}
	return out
}
