package chatapproval

import (
	"regexp"
	"strings"
)

// The id formats below are those of AWS Chatbot's CloudFormation resources
// (AWS::Chatbot::SlackChannelConfiguration and
// AWS::Chatbot::MicrosoftTeamsChannelConfiguration), narrowed to the ids
// Slack and Microsoft Teams actually hand out, so that a channel name or a
// URL pasted by mistake fails the synth rather than the deployment.
var (
	// A Slack workspace (team) id: "T" and upper-case letters and digits.
	reSlackWorkspace = regexp.MustCompile(`^T[0-9A-Z]{6,20}$`)
	// A Slack channel id: "C" (public, and private since 2021) or "G"
	// (older private channels); Chatbot does not post to direct messages.
	reSlackChannel = regexp.MustCompile(`^[CG][0-9A-Z]{6,20}$`)
	reUUID         = regexp.MustCompile(`^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$`)
	// A Teams channel id, decoded: "19:<id>@thread.tacv2" (or the older
	// "@thread.skype"), the id in the characters Chatbot accepts.
	reTeamsChannel = regexp.MustCompile(`^19:[A-Za-z0-9_=+/.,-]{1,200}@thread\.(?:tacv2|skype)$`)
)

// ValidSlackWorkspaceID tells whether id looks like a Slack workspace id,
// such as T0123ABCD.
func ValidSlackWorkspaceID(id string) bool { return reSlackWorkspace.MatchString(id) }

// ValidSlackChannelID tells whether id looks like a Slack channel id, such
// as C0123ABCD.
func ValidSlackChannelID(id string) bool { return reSlackChannel.MatchString(id) }

// ValidTeamsID tells whether id is a Microsoft Teams team or tenant id (a
// UUID).
func ValidTeamsID(id string) bool { return reUUID.MatchString(id) }

// TeamsChannelID returns a Microsoft Teams channel id in the URL-encoded
// form Chatbot expects ("19%3a...%40thread.tacv2"), from either that form
// (as Teams' "Copy link" gives it) or the decoded one ("19:...@thread.tacv2").
// ok is false when id is neither.
func TeamsChannelID(id string) (encoded string, ok bool) {
	decoded := strings.NewReplacer("%3a", ":", "%3A", ":", "%40", "@").Replace(id)
	if !reTeamsChannel.MatchString(decoded) {
		return "", false
	}
	return strings.NewReplacer(":", "%3a", "@", "%40").Replace(decoded), true
}
