package test

import (
	"strings"
	"testing"
)

// TestHostWritesOnlyAppLogs: a deployment target may write log streams of
// the app's log group (Docker's awslogs driver) and nothing else of
// CloudWatch Logs: no other group, no reading, no creating groups.
func TestHostWritesOnlyAppLogs(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		if variantEnvironments[r.variant.name] != nil {
			t.Skip("each environment's hosts have their own policy: TestEnvironmentHostSettings")
		}
		what, sts := hostStatements(t, r.tmpl)
		groups := resourcesOf(r.tmpl, "AWS::Logs::LogGroup")
		var app string
		for _, g := range groups {
			if strings.HasPrefix(g.ID, "AppLogs") {
				app = "arn:aws:logs:eu-west-1:111122223333:log-group:" + g.ID
			}
		}
		if app == "" {
			t.Fatal("no AppLogs log group in the template")
		}
		for _, req := range []request{
			{Action: "logs:CreateLogStream", Resource: app + ":log-stream:app/i-0123456789abcdef0/web-app-1"},
			{Action: "logs:PutLogEvents", Resource: app + ":log-stream:app/i-0123456789abcdef0/web-app-1"},
		} {
			if ok, why := allowed(sts, req); !ok {
				t.Errorf("%s may not %s: %s", what, req, why)
			}
		}
		other := "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/codebuild/other"
		for _, req := range []request{
			{Action: "logs:PutLogEvents", Resource: other + ":log-stream:x"},
			{Action: "logs:CreateLogStream", Resource: other + ":log-stream:x"},
			{Action: "logs:CreateLogGroup", Resource: other + ":*"},
			{Action: "logs:GetLogEvents", Resource: app + ":log-stream:app/i-0123456789abcdef0/web-app-1"},
			{Action: "logs:DeleteLogGroup", Resource: app + ":*"},
		} {
			if ok, why := allowed(sts, req); ok {
				t.Errorf("%s may %s: %s", what, req, why)
			}
		}
		// Kept and removed like the build logs, with the same retention.
		for _, g := range groups {
			if strings.HasPrefix(g.ID, "AppLogs") && g.props()["RetentionInDays"] == nil {
				t.Errorf("%s has no retention", g.ID)
			}
		}
	})
}
