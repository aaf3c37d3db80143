package config

import (
	"fmt"
	"strings"
)

// Warning is something the stack synthesizes with but the user should
// change. Each has its own ID, so acknowledging one
// (`Annotations.acknowledgeWarning`) hides only that one.
type Warning struct {
	// ID is "shipline:config:<setting>:<kind>".
	ID string
	// Message names the setting and what to do.
	Message string
}

// Warnings lists the config's warnings: placeholders left from the stock
// cdk.json and settings that have no effect.
func (c Config) Warnings() []Warning {
	var w []Warning
	warn := func(setting, kind, format string, args ...any) {
		w = append(w, Warning{ID: "shipline:config:" + setting + ":" + kind, Message: setting + ": " + fmt.Sprintf(format, args...)})
	}
	if c.GitHubOwner == PlaceholderOwner {
		warn("githubOwner", "placeholder", "is the placeholder %q: set it to the owner of your app repository", PlaceholderOwner)
	}
	if c.GitHubRepo == PlaceholderRepo {
		warn("githubRepo", "placeholder", "is the placeholder %q: set it to your app repository", PlaceholderRepo)
	}
	for _, e := range c.ApproverEmails {
		if !strings.EqualFold(e, PlaceholderEmail) {
			continue
		}
		if c.ApprovalTopicArn != "" {
			warn("approverEmails", "placeholder-skipped", "the placeholder %q is not subscribed to the existing approvalTopicArn; remove it from approverEmails", PlaceholderEmail)
		} else {
			warn("approverEmails", "placeholder", "holds the placeholder %q: set the approvers' addresses", PlaceholderEmail)
		}
	}
	if c.AutoScalingGroupName != "" && len(c.DeployTagValues) == 0 && c.DeployTagKey != Default().DeployTagKey {
		warn("deployTagKey", "unused", "has no effect: with autoScalingGroupName and no deployTagValues, the deployment group targets the Auto Scaling group alone")
	}
	return w
}
